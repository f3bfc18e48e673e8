"""Revisions, the history tab, diffs and revert (issue 5, E2) through WebTest with the agency's
editor of tests/test_manage.py."""
from datetime import timedelta

import pytest
import transaction
from webtest import TestApp

from portal.publishing.policy import place
from portal.revisions import html_text, record_revision, revision_count, word_diff

from .test_manage import add_news, build, csrf, sign_in, site_of

FIRST = "<p>Nội dung đầu tiên của bài viết.</p>"
SECOND = "<p>Nội dung thứ hai của bài viết.</p>"

@pytest.fixture
def portal_app(demo_copy, tmp_path):
    """The application of tests/test_manage.py: an agency's editor "bientap", a member."""
    app = build(demo_copy, **{"portal.upload_tmp_dir": str(tmp_path / "uploads")})
    yield app
    app.registry._zodb_databases[""].close()


@pytest.fixture
def bientap(portal_app):
    """The agency's editor, signed in."""
    app = TestApp(portal_app)
    sign_in(app, "bientap")
    return app


def item_path(response):
    return "/" + response.location.split("/", 3)[3]


def edit(app, path, note="", status=303, **fields):
    form = app.get(path + "@@edit").forms["manage-form"]
    for name, value in fields.items():
        form[name] = value
    form["revision_note"] = note
    return form.submit("save", status=status)


def the_item(app, path):
    conn, site = site_of(app)
    obj = site
    for name in path.strip("/").split("/"):
        obj = obj[name]
    return conn, obj


def history_rows(page):
    return page.html.select("table.history-table tbody tr.history-revision")


def written(portal_app, bientap):
    """An article added, then edited twice with notes (the clock moving on each time)."""
    path = item_path(add_news(bientap, title="Hội nghị sơ kết", body=FIRST))
    clock = portal_app.registry.portal_clock
    clock.advance(timedelta(minutes=5))
    edit(bientap, path, note="Sửa nội dung", body=SECOND)
    clock.advance(timedelta(minutes=5))
    edit(bientap, path, note="Đổi tiêu đề", title="Hội nghị sơ kết sáu tháng")
    return path


class TestHistory:
    def test_history_lists_three_revisions_newest_first_with_notes_and_the_editors_name(
            self, portal_app, bientap):
        path = written(portal_app, bientap)
        page = bientap.get(path + "@@history")
        rows = history_rows(page)
        assert [row.select_one("th").get_text(strip=True) for row in rows] == ["3", "2", "1"]
        assert "Đổi tiêu đề" in rows[0].get_text()
        assert "Sửa nội dung" in rows[1].get_text()
        assert all("Người dùng bientap" in row.get_text() for row in rows)
        times = [row.select_one("time")["datetime"] for row in rows]
        assert times == sorted(times, reverse=True)
        region = page.html.select_one(".table-scroll[role=region]")
        assert region["aria-labelledby"] == "history-caption"
        # The newest revision is the item as it is: no revert button there.
        assert rows[0].select_one("button") is None
        assert rows[2].select_one("button[name=revision]")["value"] == "1"

    def test_the_toolbar_offers_the_history_to_editors(self, portal_app, bientap):
        path = item_path(add_news(bientap))
        links = bientap.get(path).html.select(".toolbar a")
        assert any(a["href"].endswith(path + "@@history") for a in links)

    def test_a_save_without_changes_records_a_revision_only_with_a_note(self, portal_app, bientap):
        path = item_path(add_news(bientap, body=FIRST))
        edit(bientap, path)
        conn, obj = the_item(bientap, path)
        assert revision_count(obj) == 1
        conn.close()
        edit(bientap, path, note="Đã kiểm tra lại")
        conn, obj = the_item(bientap, path)
        assert revision_count(obj) == 2 and obj._revisions[2]["changed"] == ()
        conn.close()

    def test_workflow_transitions_are_listed_with_their_comment(self, portal_app, bientap):
        path = item_path(add_news(bientap))
        conn, obj = the_item(bientap, path)
        obj.workflow_history = ({
            "actor": "bientap", "transition": "submit", "from": "private", "to": "pending",
            "time": portal_app.registry.portal_clock.now() + timedelta(minutes=1),
            "comment": "Nhờ duyệt <b>gấp</b>"}, {"transition": "retract", "time": "garbage"})
        transaction.commit()
        conn.close()
        page = bientap.get(path + "@@history")
        row = page.html.select_one("tr.history-transition")
        assert page.html.select("tbody tr")[0] is not None
        # The transition's title from the item's workflow, translated; the comment escaped.
        assert "Gửi cơ quan duyệt" in row.get_text() and "Nhờ duyệt <b>gấp</b>" in row.get_text()
        assert "<b>gấp" not in page.text

    def test_an_item_older_than_revisions_keeps_its_state_before_the_first_edit(
            self, portal_app, bientap):
        news = bientap.get("/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/@@contents")
        first = news.html.select_one("table a[href$='/@@edit']")["href"].removesuffix("@@edit")
        path = "/" + first.split("/", 3)[3]
        conn, obj = the_item(bientap, path)
        old_title = obj.title
        assert revision_count(obj) == 0
        # A draft is edited in place (a published item would get a working copy).
        place(portal_app.registry, obj, "draft")
        transaction.commit()
        conn.close()
        edit(bientap, path, title="Tiêu đề mới")
        conn, obj = the_item(bientap, path)
        assert revision_count(obj) == 2
        assert obj._revisions[1]["kind"] == "baseline"
        assert obj._revisions[1]["fields"]["title"] == old_title
        conn.close()


class TestDiff:
    def test_the_diff_shows_added_and_removed_words_escaped(self, portal_app, bientap):
        path = item_path(add_news(bientap, title="Tin <script>alert(1)</script> cũ",
                                  body=FIRST))
        edit(bientap, path, title="Tin <script>alert(2)</script> mới", body=SECOND)
        page = bientap.get(path + "@@history?against=1&diff=2")
        diff = page.html.select_one(".history-diff")
        removed = " ".join(d.get_text() for d in diff.select("del"))
        added = " ".join(i.get_text() for i in diff.select("ins"))
        assert "cũ" in removed and "alert(1)</script>" in removed and "đầu tiên" in removed
        assert "mới" in added and "alert(2)</script>" in added and "thứ hai" in added
        assert "bài viết" not in removed + added  # unchanged words are not marked
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(2)" in page.text
        # Not colour alone: each change carries a hidden word for screen readers.
        assert all(mark.select_one(".visually-hidden") for mark in diff.select("ins, del"))

    def test_the_order_of_the_two_numbers_does_not_matter(self, portal_app, bientap):
        path = written(portal_app, bientap)
        one = bientap.get(path + "@@history?against=3&diff=1").html.select_one("#diff-heading")
        two = bientap.get(path + "@@history?against=1&diff=3").html.select_one("#diff-heading")
        assert one.get_text() == two.get_text()

    def test_unknown_or_garbage_numbers_give_a_page_in_the_layout(self, portal_app, bientap):
        path = written(portal_app, bientap)
        missing = bientap.get(path + "@@history?against=1&diff=99", status=404)
        garbage = bientap.get(path + "@@history?against=x&diff=%F0%9F%98%80", status=400)
        for page in (missing, garbage):
            assert page.html.select_one("main [role=alert]") is not None
            assert page.html.select_one("header") is not None

    def test_word_diff_and_html_text(self):
        assert html_text("<p>Một &amp; hai</p><p>ba<br>bốn</p>") == "Một & hai\nba\nbốn"
        assert word_diff("một hai ba", "một bốn ba") == [
            ("same", "một "), ("removed", "hai"), ("added", "bốn"), ("same", " ba")]
        long = " ".join(str(n) for n in range(200))
        parts = word_diff(long, long + " thêm")
        assert ("skipped", "…") in parts and parts[-1] == ("added", " thêm")


class TestRevert:
    def test_revert_restores_the_old_body_and_adds_a_revision(self, portal_app, bientap):
        path = written(portal_app, bientap)
        page = bientap.post(path + "@@revert", {"revision": "1", "csrf_token": csrf(bientap)},
                           status=303).follow()
        assert page.html.select_one("[role=status]") is not None
        conn, obj = the_item(bientap, path)
        assert "đầu tiên" in obj.body and obj.title == "Hội nghị sơ kết"
        assert revision_count(obj) == 4
        assert obj._revisions[4]["reverted"] == 1 and obj._revisions[4]["actor"] == "bientap"
        conn.close()
        rows = history_rows(page)
        assert rows[0].select_one("th").get_text(strip=True) == "4"
        assert "1" in rows[0].select_one(".history-note").get_text()

    def test_revert_with_a_bad_number_is_a_clear_error(self, portal_app, bientap):
        path = written(portal_app, bientap)
        for value, status in (("99", 404), ("abc", 400), ("", 400), ("-1", 400),
                              ("1" * 40, 400)):
            page = bientap.post(path + "@@revert", {"revision": value,
                                                   "csrf_token": csrf(bientap)}, status=status)
            assert page.html.select_one("main [role=alert]") is not None
        conn, obj = the_item(bientap, path)
        assert revision_count(obj) == 3
        conn.close()

    def test_revert_takes_a_post_with_the_csrf_token(self, portal_app, bientap):
        path = written(portal_app, bientap)
        bientap.get(path + "@@revert?revision=1", status=404)
        bientap.post(path + "@@revert", {"revision": "1"}, status=400)
        conn, obj = the_item(bientap, path)
        assert revision_count(obj) == 3
        conn.close()


class TestRefused:
    def test_anonymous_visitors_and_members_may_not_see_the_history(self, portal_app, bientap):
        path = written(portal_app, bientap)
        TestApp(portal_app).get(path + "@@history", status=404)
        member = TestApp(portal_app)
        sign_in(member, "thanhvien")
        member.get(path + "@@history", status=403)
        member.get("/@@login")
        member.post(path + "@@revert", {"revision": "1", "csrf_token": csrf(member)},
                    status=403)


def test_record_revision_from_other_code(portal_app, bientap):
    path = item_path(add_news(bientap))
    conn, obj = the_item(bientap, path)
    obj.title = "Đổi từ mã khác"
    assert record_revision(portal_app.registry, obj, actor="quantri", note="Nhập tự động") == 2
    assert obj._revisions[2]["time"] == portal_app.registry.portal_clock.now()
    assert record_revision(portal_app.registry, obj, actor="quantri") is None
    transaction.commit()
    conn.close()
