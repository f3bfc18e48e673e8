"""What a guessed address, the contents table and a chosen name tell about hidden items (S8):
anonymous visitors get 404 for a private item, the pager counts only what the table shows,
cutting a folder that holds hidden items is refused, and no child takes a view's name."""
import transaction
from webtest import TestApp

from portal.security.localroles import set_blocked

from . import test_manage as manage
from .test_manage import AGENCY, EXCHANGE, add_news, csrf, form_to, site_of

# The management tests' fixtures: a demo site with an agency's editor, authors and a Manager.
wsgi, anonymous, editor, manager, authors = (
    manage.wsgi, manage.anonymous, manage.editor, manage.manager, manage.authors)

DRAFT = "Bản nháp chưa gửi duyệt của phóng viên"


def draft_url(editor):
    add_news(editor, title=DRAFT)
    return AGENCY + "tin-hoat-dong/ban-nhap-chua-gui-duyet-cua-phong-vien/"


class TestGuessedAddresses:
    def test_anonymous_visitors_get_not_found_for_a_private_item(self, editor, anonymous):
        url = draft_url(editor)
        for address in (url, url + "@@edit", url + "@@image/thumb", "/noi-bo/"):
            page = anonymous.get(address, status=404)
            missing = anonymous.get("/khong-co-trang-nay/" + address.rsplit("/", 2)[-2],
                                    status=404)
            assert page.html.select_one("h1").text == missing.html.select_one("h1").text
            sign_in = page.html.select_one("main a[href*='@@login']")
            assert sign_in is not None and "came_from" in sign_in["href"]

    def test_signed_in_users_keep_the_refusal_and_anonymous_the_sign_in_link(
            self, editor, anonymous, wsgi):
        url = draft_url(editor)
        member = TestApp(wsgi)
        form = form_to(member.get("/@@login"), "login")
        form["login"], form["password"] = "thanhvien", "Mat-khau-2026-dai"
        form.submit(status=303)
        assert member.get(url, status=403).html.select_one("h1").text == "Không được phép"
        # Something anonymous visitors may see exists anyway: the refusal offers to sign in.
        page = anonymous.get(AGENCY + "@@contents", status=403)
        assert "@@login?came_from=" in page.html.select_one("main a.button")["href"]


class TestContentsTable:
    def test_the_count_and_the_pages_are_of_what_the_visitor_may_view(self, authors):
        app, author, other, _manager = authors
        for n in range(3):
            add_news(other, folder=EXCHANGE, title=f"Bản nháp riêng số {n}")
        add_news(author, folder=EXCHANGE, title="Bài của tác giả")
        conn, site = site_of(TestApp(app))
        everything = len(site["xay-dung-dang"]["cong-tac-tuyen-giao"]["trao-doi-nghiep-vu"])
        conn.close()
        page = author.get(EXCHANGE + "@@contents")
        rows = page.html.select("table.data-table tbody tr")
        caption = page.html.select_one("#contents-caption").text
        assert int("".join(ch for ch in caption.split(";")[0] if ch.isdigit())) == len(rows)
        assert len(rows) == everything - 3
        assert not any("Bản nháp riêng" in row.text for row in rows)
        mine = other.get(EXCHANGE + "@@contents")
        assert len(mine.html.select("table.data-table tbody tr")) == everything - 1

    def test_a_folder_holding_hidden_items_cannot_be_cut(self, editor, manager, wsgi):
        form = manager.get(AGENCY + "@@add?type=Folder").forms["manage-form"]
        form["title"] = "Hồ sơ nhân sự"
        form.submit("save", status=303)
        form = manager.get(AGENCY + "ho-so-nhan-su/@@add?type=Page").forms["manage-form"]
        form["title"], form["body"] = "Danh sách mật", "<p>Mật</p>"
        form.submit("save", status=303)
        conn, site = site_of(TestApp(wsgi))
        with transaction.manager:
            set_blocked(site["xay-dung-dang"]["cong-tac-tuyen-giao"]["ho-so-nhan-su"]
                        ["danh-sach-mat"], True)
        conn.close()
        editor.get(AGENCY + "ho-so-nhan-su/danh-sach-mat/", status=403)
        response = editor.post(AGENCY + "@@contents", {
            "csrf_token": csrf(editor), "action": "cut", "names": "ho-so-nhan-su"},
            status=403)
        assert "không có quyền xem" in response.html.select_one(".form-error").text
        assert "portal_clipboard" not in response.headers.get("Set-Cookie", "")


class TestViewNames:
    def test_a_page_never_takes_the_name_of_a_view(self, manager):
        for title in ("search-suggest", "Sharing", "contents"):
            form = manager.get("/@@add?type=Page").forms["manage-form"]
            form["title"], form["body"] = title, "<p>Trang thử</p>"
            location = form.submit("save", status=303).location
            assert location.rstrip("/").rsplit("/", 1)[-1].endswith("-1")
        suggest = manager.get("/search-suggest?q=tuyen")
        assert suggest.content_type == "application/json"

    def test_renaming_to_a_view_name_is_refused(self, editor):
        form = form_to(editor.get(draft_url(editor) + "@@rename"), "rename")
        for name in ("search-suggest", "sharing", "rss.xml"):
            form["name"] = name
            assert form.submit(status=400).html.select_one("#new-name-error")
