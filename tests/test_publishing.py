"""The two-level approval through WebTest (E2, E3, S8): an agency's author writes, the agency's
reviewer approves, the editorial board publishes; every step leaves history and mail, which a
real SMTP server on loopback receives."""
import pytest
import transaction
from pyramid.request import Request
from pyramid.scripting import prepare

from portal.mail import deliver_queued, queued_count
from portal.publishing.policy import fire
from portal.security.audit import get_audit_log
from portal.security.localroles import set_local_roles

from .conftest import add_user, clocked_app, editing
from .test_login import form_to, people

AGENCY = "xay-dung-dang/cong-tac-tuyen-giao"
NEWS = f"/{AGENCY}/tin-hoat-dong/"
TITLE = "Hội nghị học tập Nghị quyết Đại hội tại Đại Từ"
SLUG = "hoi-nghi-hoc-tap-nghi-quyet-dai-hoi-tai-dai-tu"
ITEM = NEWS + SLUG + "/"


@pytest.fixture
def portal(demo_copy, mailserver):
    """(browser factory, clock, app, mail server) with the people of the two-level path."""
    with editing(demo_copy) as site:
        agency = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        other = site["xay-dung-dang"]["cong-tac-to-chuc"]
        add_user(site, "tacgia", "Trần Văn Tác")
        add_user(site, "duyet", "Lê Thị Duyệt")
        add_user(site, "duyetkhac", "Phạm Duyệt Khác")
        add_user(site, "xuatban", "Hoàng Xuất Bản", groups=("ban-bien-tap",)).language = "en"
        add_user(site, "thanhvien", "Người Xem")
        add_user(site, "bientap", "Đỗ Biên Tập", groups=("ban-tuyen-giao",))
        add_user(site, "quantri", "Quản Trị", roles=("Manager",))
        set_local_roles(site["xay-dung-dang"]["cong-tac-dan-van"], "user:tacgia", ("Author",))
        set_local_roles(agency, "user:tacgia", ("Author",))
        set_local_roles(agency, "user:duyet", ("Reviewer",))
        set_local_roles(other, "user:duyetkhac", ("Reviewer",))
    app, clock = clocked_app(demo_copy, **mailserver.settings)
    person = people(app, clock, two_step=("duyet", "duyetkhac", "xuatban"))
    yield person, clock, app, mailserver
    app.registry._zodb_databases[""].close()


def mails(app, server):
    """Deliver the queue; the messages received since the last call, as (to, subject, body)."""
    deliver_queued(app.registry.settings)
    found = [(", ".join(to), message["Subject"], message.get_content())
             for _from, to, message in server.received]
    server.received.clear()
    return found


def write(browser):
    form = browser.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
    form["title"] = TITLE
    form["description"] = "Cán bộ chủ chốt huyện Đại Từ học tập Nghị quyết."
    form["body"] = "<p>Sáng nay, Huyện ủy Đại Từ tổ chức hội nghị.</p>"
    return form.submit("save", status=303).follow()


def change(browser, transition, comment="", status=303, url=ITEM):
    """Press the transition's button in the toolbar of ``url`` with ``comment``; after a
    change, the page it returns to says what happened."""
    form = form_to(browser.get(url), "transition")
    form["comment"] = comment
    response = form.submit("transition", value=transition, status=status)
    if status == 303:
        page = response.follow()
        done = page.html.select_one(".toolbar-state [role=status], main [role=status]")
        assert done.text.startswith("Đã xong"), page.text
    return response


def state_of(browser, url=ITEM):
    return browser.get(url).html.select_one(".toolbar-state .state").text


def test_a_news_item_reaches_the_public_only_after_both_approvals(portal):
    person, _clock, app, server = portal
    author, anonymous = person("tacgia"), person("anonymous")
    write(author)
    assert state_of(author) == "Bản nháp"
    for view in ("", "@@edit", "@@history", "@@transition", "working-copy/"):
        refused = anonymous.get(ITEM + view, expect_errors=True)
        assert refused.status_int in (403, 404)
        assert TITLE not in refused.text and "Huyện ủy Đại Từ" not in refused.text
    assert TITLE not in anonymous.get(NEWS).text and TITLE not in anonymous.get("/").text
    dashboard = author.get("/@@dashboard")
    assert TITLE in dashboard.html.select_one("#dashboard-drafts").text

    # The author submits: the agency's reviewer is told, not the other agency's.
    change(author, "submit")
    assert state_of(author) == "Chờ cơ quan duyệt"
    sent = mails(app, server)
    assert [to for to, _subject, _body in sent] == ["duyet@example.vn"]
    assert TITLE in sent[0][1] and "http://localhost" + ITEM in sent[0][2]
    assert "Trần Văn Tác" in sent[0][2]
    reviewer = person("duyet")
    queue = reviewer.get("/@@review-queue")
    assert [a.text for a in queue.html.select(".worklist tbody td:first-child a")] == [TITLE]
    assert TITLE not in person("duyetkhac").get("/@@review-queue").text
    assert TITLE not in person("xuatban").get("/@@review-queue").text
    anonymous.get(ITEM, status=404)

    # Rejection needs a comment; the typed text is kept when it is refused.
    refused = change(reviewer, "reject", "   ", status=400)
    assert refused.html.select_one("#transition-error")
    change(reviewer, "reject", "Bổ sung ảnh và nguồn tin.")
    assert state_of(author) == "Bản nháp"
    (to, subject, body), = mails(app, server)
    assert to == "tacgia@example.vn" and "Bổ sung ảnh và nguồn tin." in body
    rejected = author.get("/@@dashboard").html.select_one("#dashboard-rejected")
    assert TITLE in rejected.text and "Bổ sung ảnh và nguồn tin." in rejected.text

    # Again, approved by the agency: the board is told, in its member's language.
    change(author, "submit")
    mails(app, server)
    change(reviewer, "approve")
    (to, subject, body), = mails(app, server)
    assert to == "xuatban@example.vn" and "Approve for the agency" in subject
    assert "It is now: Waiting for publication." in body
    publisher = person("xuatban")
    assert TITLE in publisher.get("/@@review-queue").text
    assert TITLE not in reviewer.get("/@@review-queue").text
    anonymous.get(ITEM, status=404)

    # The board publishes: the public sees it everywhere, the author is told.
    change(publisher, "publish")
    (to, _subject, body), = mails(app, server)
    assert to == "tacgia@example.vn"
    assert anonymous.get(ITEM).html.select_one("article h1").text == TITLE
    assert TITLE in anonymous.get(NEWS).text and TITLE in anonymous.get("/").text
    assert TITLE not in author.get("/@@dashboard").text

    # Retraction takes it away again, with a comment to the author.
    change(publisher, "retract", "Sai số liệu, cần kiểm tra lại.")
    anonymous.get(ITEM, status=404)
    assert TITLE not in anonymous.get(NEWS).text and TITLE not in anonymous.get("/").text
    (to, _subject, body), = mails(app, server)
    assert to == "tacgia@example.vn" and "Sai số liệu" in body

    with editing_app(app) as site:
        item = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"][SLUG]
        steps = [(h["actor"], h["transition"], h["to"]) for h in item.workflow_history]
        logged, _total = get_audit_log(site).query(action="transition")
        audited = [(e.actor, e.target, e.details) for e in reversed(logged)]
    assert audited[1] == ("duyet", ITEM.rstrip("/"),
                          "reject: submitted → draft (Bổ sung ảnh và nguồn tin.)")
    assert [actor for actor, _target, _details in audited] == [
        "tacgia", "duyet", "tacgia", "duyet", "xuatban", "xuatban"]
    assert steps == [("tacgia", None, "draft"), ("tacgia", "submit", "submitted"),
                     ("duyet", "reject", "draft"), ("tacgia", "submit", "submitted"),
                     ("duyet", "approve", "approved"), ("xuatban", "publish", "published"),
                     ("xuatban", "retract", "draft")]


class editing_app:
    """The site as the application's database has it now (read only)."""

    def __init__(self, app):
        self.db = app.registry._zodb_databases[""]

    def __enter__(self):
        self.conn = self.db.open()
        self.conn.sync()
        return self.conn.root()["portal"]

    def __exit__(self, *exc):
        self.conn.close()


def test_nobody_skips_a_level(portal):
    person, _clock, _app, _server = portal
    author = person("tacgia")
    write(author)
    # The author cannot approve or publish, the reviewer cannot publish, even by a forged POST.
    csrf = author.cookies["portal_csrf"]
    author.post(ITEM + "@@transition", {"transition": "approve", "csrf_token": csrf},
                status=400)                  # not from a draft
    change(author, "submit")
    author.post(ITEM + "@@transition", {"transition": "approve", "csrf_token": csrf},
                status=403)
    other = person("duyetkhac")
    other.get(ITEM, status=403)          # another agency's reviewer does not even see it
    assert "Chờ cơ quan duyệt" == state_of(author)
    reviewer = person("duyet")
    change(reviewer, "approve")
    reviewer.post(ITEM + "@@transition", {"transition": "publish",
                                          "csrf_token": reviewer.cookies["portal_csrf"]},
                  status=403)
    assert "Chờ xuất bản" == state_of(author)
    person("anonymous").post(ITEM + "@@transition", {"transition": "submit"}, status=404)


def test_a_transition_in_an_aborted_transaction_sends_nothing(portal):
    person, _clock, app, server = portal
    author = person("tacgia")
    write(author)
    cookie = "; ".join(f"{name}={value}" for name, value in author.cookies.items())
    request = Request.blank("/", headers={"Cookie": cookie})
    env = prepare(request=request, registry=app.registry)
    try:
        request.tm = transaction.TransactionManager(explicit=True)
        request.tm.begin()
        conn = app.registry._zodb_databases[""].open(transaction_manager=request.tm)
        request.root = conn.root()["portal"]
        item = request.root["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"][SLUG]
        fire(request, item, "submit")
        assert item.workflow_state == "submitted"
        request.tm.abort()
        conn.close()
    finally:
        env["closer"]()
    assert queued_count(app.registry.settings) == 0
    assert mails(app, server) == []
    assert state_of(author) == "Bản nháp"
    change(author, "submit")                 # the same change, committed, does send
    assert [to for to, _s, _b in mails(app, server)] == ["duyet@example.vn"]


def test_a_notice_waits_out_an_smtp_outage(portal):
    person, _clock, app, server = portal
    author = person("tacgia")
    write(author)
    server.stop()
    change(author, "submit")
    deliver_queued(app.registry.settings)
    assert queued_count(app.registry.settings) == 1 and server.received == []
    server.start()
    (to, _subject, _body), = mails(app, server)
    assert to == "duyet@example.vn" and queued_count(app.registry.settings) == 0


def test_editing_a_published_article_goes_through_approval_on_a_working_copy(portal):
    person, _clock, app, server = portal
    with editing_app(app) as site:
        section = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        name = next(n for n in section if section[n].type_name == "NewsItem")
        published_title = section[name].title
    url = f"{NEWS}{name}/"
    anonymous = person("anonymous")
    editor = person("bientap")
    form = editor.get(url + "@@edit").forms["manage-form"]
    assert "bản sao" in editor.get(url + "@@edit").html.select_one(".notice").text
    form["title"] = "Tiêu đề đã sửa chờ duyệt"
    copy = form.submit("save", status=303)
    assert copy.location.endswith(url + "working-copy/")
    # The public still reads the published text; the copy is a draft nobody else sees.
    assert anonymous.get(url).html.select_one("article h1").text == published_title
    anonymous.get(url + "working-copy/", status=404)
    assert state_of(editor, url + "working-copy/") == "Bản nháp"
    assert editor.get(url + "@@edit", status=303).location.endswith("working-copy/@@edit")
    row = next(tr for tr in editor.get(NEWS + "@@contents").html.select("tbody tr")
               if tr.select_one(f'a[href$="/{name}/"]'))
    assert "Đã xuất bản (có bản sao làm việc đang chờ duyệt)" in row.get_text(" ", strip=True)
    change(editor, "submit", url=url + "working-copy/")
    reviewer, publisher = person("duyet"), person("xuatban")
    assert "Tiêu đề đã sửa chờ duyệt" in reviewer.get("/@@review-queue").text
    change(reviewer, "approve", url=url + "working-copy/")
    assert anonymous.get(url).html.select_one("article h1").text == published_title
    change(publisher, "publish", url=url + "working-copy/")
    # Published: the item has the new text, stays published, and the copy is gone.
    assert anonymous.get(url).html.select_one("article h1").text == "Tiêu đề đã sửa chờ duyệt"
    editor.get(url + "working-copy/", status=404)
    assert state_of(editor, url) == "Đã xuất bản"
    sent = [to for to, _s, _b in mails(app, server)]
    assert sent == ["duyet@example.vn", "xuatban@example.vn", "bientap@example.vn"]
    with editing_app(app) as site:
        item = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"][name]
        assert item.working_copy is None and item.workflow_state == "published"
        assert [h["transition"] for h in item.workflow_history if h.get("working_copy")] == \
            [None, "submit", "approve", "publish"]
        newest = item._revisions[item._revisions.maxKey()]
        assert newest["kind"] == "working-copy" and newest["actor"] == "xuatban"
        assert item._revisions[1]["fields"]["title"] == published_title
    # Going back to the earlier text is a change too: it goes to a new working copy.
    editor.post(url + "@@revert", {"revision": "1", "csrf_token": editor.cookies["portal_csrf"]},
                status=303)
    assert anonymous.get(url).html.select_one("article h1").text == "Tiêu đề đã sửa chờ duyệt"
    assert editor.get(url + "working-copy/").html.select_one("article h1").text == \
        published_title


def test_a_working_copy_can_be_discarded(portal):
    person, _clock, app, _server = portal
    with editing_app(app) as site:
        section = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        name = next(n for n in section if section[n].type_name == "NewsItem")
    url = f"{NEWS}{name}/"
    editor = person("bientap")
    form = editor.get(url + "@@edit").forms["manage-form"]
    form["title"] = "Bản sửa sẽ bỏ"
    form.submit("save", status=303)
    confirm = editor.get(url + "working-copy/@@discard")
    form_to(confirm, "discard").submit(status=303)
    editor.get(url + "working-copy/", status=404)
    assert "Bản sửa sẽ bỏ" not in editor.get("/@@dashboard").text
    person("anonymous").get(url + "working-copy/@@discard", status=404)


def test_an_article_without_text_cannot_be_submitted_and_the_page_says_why(portal):
    person, _clock, _app, _server = portal
    author = person("tacgia")
    form = author.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
    form["title"] = TITLE
    page = form.submit("save", status=303).follow()
    assert not page.html.select("button[name=transition]")
    hint = page.html.select_one(".toolbar-waiting").get_text(" ", strip=True)
    assert "Gửi cơ quan duyệt" in hint and "Hãy viết nội dung" in hint
    refused = author.post(ITEM + "@@transition", {"transition": "submit",
                                                  "csrf_token": author.cookies["portal_csrf"]},
                          status=400)
    assert refused.html.select_one("#transition-error").text == \
        "Tin bài chưa đủ điều kiện cho thao tác này."
    form = author.get(ITEM + "@@edit").forms["manage-form"]
    form["body"] = "<p>Nội dung đã có.</p>"
    form.submit("save", status=303)
    change(author, "submit")
    assert state_of(author) == "Chờ cơ quan duyệt"



def test_the_toolbar_says_which_changes_need_a_comment(portal):
    person, _clock, _app, _server = portal
    author = person("tacgia")
    write(author)
    change(author, "submit")
    page = person("duyet").get(ITEM)
    help_text = page.html.select_one("#toolbar-comment-help").text
    assert "Trả lại tác giả" in help_text and "Duyệt cấp cơ quan" not in help_text
    buttons = {b["value"]: b.get("aria-describedby") for b in
               page.html.select(".toolbar-state button[name=transition]")}
    assert buttons == {"approve": None, "reject": "toolbar-comment-help"}


def test_without_a_reviewer_in_the_agency_the_managers_are_told(portal):
    person, _clock, app, server = portal
    author = person("tacgia")
    folder = "/xay-dung-dang/cong-tac-dan-van/tin-hoat-dong/"
    form = author.get(folder + "@@add?type=NewsItem").forms["manage-form"]
    form["title"], form["body"] = TITLE, "<p>Nội dung.</p>"
    form.submit("save", status=303)
    change(author, "submit", url=folder + SLUG + "/")
    assert [to for to, _s, _b in mails(app, server)] == ["quantri@example.vn"]

