"""The management interface through WebTest: an agency's editor adds, edits, renames, deletes,
cuts, copies, pastes and reorders in their own subtree, and is refused everywhere else."""
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import transaction
from PIL import Image as PILImage
from webtest import TestApp

from portal.clock import FixedClock, SeededRandom
from portal.content.ids import slugify
from portal.content.types import NewsItem
from portal.security.audit import get_audit_log
from portal.security.localroles import set_local_roles
from portal.security.principals import Group, User
from portal.testing import open_db
from portal.text.folding import fold
from portal.views.manage.uploads import (
    UploadStore,
    clean_filename,
    document_type,
    image_problem,
)

from .browser.conftest import axe_script, screenshot_dir  # noqa: F401 (fixtures)
from .conftest import make_app

T0 = datetime(2026, 11, 24, 8, 0, 7, tzinfo=UTC)
PASSWORD = "Mat-khau-2026-dai"
AGENCY = "/xay-dung-dang/cong-tac-tuyen-giao/"
NEWS = AGENCY + "tin-hoat-dong/"
EXCHANGE = AGENCY + "trao-doi-nghiep-vu/"
OTHER = "/xay-dung-dang/cong-tac-to-chuc/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def jpeg(width=1000, height=600):
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (180, 20, 20)).save(out, "JPEG")
    return out.getvalue()


def docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def build(demo_copy, two_step_editor=False, **settings):
    """The application over ``demo_copy`` with an agency's editor, a manager and a member."""
    db = open_db(demo_copy)
    conn = db.open()
    with transaction.manager:
        site = conn.root()["portal"]
        site.groups.add(Group("thu-tuyen-giao", "Ban Tuyên giáo (thử)"))
        set_local_roles(site["xay-dung-dang"]["cong-tac-tuyen-giao"], "group:thu-tuyen-giao",
                        ("Editor",))
        if two_step_editor:
            site.settings["two_step_for_all"] = True
        for login, roles, groups in (("bientap", (), ("thu-tuyen-giao",)),
                                     ("quantri", ("Manager",), ()),
                                     ("thanhvien", (), ())):
            user = User(login, f"Người dùng {login}", f"{login}@example.vn", roles=roles,
                        groups=groups)
            user.set_password(PASSWORD)
            if login == "quantri" or two_step_editor:
                user.totp_secret = SECRET
            site.users.add(user)
    conn.close()
    db.close()
    app = make_app(demo_copy, **settings)
    app.registry.portal_clock = FixedClock(T0)
    app.registry.portal_random = SeededRandom(7)
    return app


@pytest.fixture
def wsgi(demo_copy, tmp_path):
    app = build(demo_copy, **{"portal.upload_tmp_dir": str(tmp_path / "uploads"),
                              "portal.max_image_bytes": "200000"})
    yield app
    app.registry._zodb_databases[""].close()


@pytest.fixture
def anonymous(wsgi):
    return TestApp(wsgi)


@pytest.fixture
def editor(wsgi):
    app = TestApp(wsgi)
    sign_in(app, "bientap")
    return app


@pytest.fixture
def manager(wsgi):
    app = TestApp(wsgi)
    page = sign_in(app, "quantri").follow()
    form = form_to(page, "login-code")
    form["code"] = pyotp.TOTP(SECRET).at(T0)
    form.submit(status=303)
    return app


def site_of(app):
    """The site as the application's own database sees it now (a fresh connection)."""
    db = app.app.registry._zodb_databases[""]
    conn = db.open()
    conn.sync()
    return conn, conn.root()["portal"]


def form_to(page, view):
    return next(f for f in page.forms.values() if f.action.split("?")[0].endswith(f"@@{view}"))


def sign_in(app, login):
    form = form_to(app.get("/@@login"), "login")
    form["login"], form["password"] = login, PASSWORD
    return form.submit(status=303)


def add_news(app, folder=NEWS, title="Hội nghị tuyên giáo khu vực miền núi", image=None,
             status=303, **fields):
    form = app.get(folder + "@@add?type=NewsItem").forms["manage-form"]
    form["title"] = title
    for name, value in fields.items():
        form[name] = value
    if image is not None:
        form["upload"] = image
    return form.submit("save", status=status)


def main_text(page):
    return page.html.select_one("main").get_text(" ", strip=True)


def csrf(app):
    return app.cookies["portal_csrf"]


class TestAdd:
    def test_an_editor_adds_an_article_with_an_image_and_sees_it_as_a_draft(self, editor, wsgi):
        assert "Hội nghị tuyên giáo khu vực" not in editor.get(NEWS).text  # listing cached
        assert "Hội nghị tuyên giáo khu vực" not in editor.get("/").text   # home cached
        response = add_news(editor, image=("anh.jpg", jpeg(), "image/jpeg"),
                            description="Tóm tắt bài", body="<p>Nội dung <b>chính</b></p>",
                            tags="tuyên giáo, miền núi")
        url = NEWS + "hoi-nghi-tuyen-giao-khu-vuc-mien-nui/"
        assert response.location.endswith(url)
        article = response.follow()
        assert article.html.select_one("article h1").text == "Hội nghị tuyên giáo khu vực miền núi"
        assert article.html.select_one(".body").decode_contents() == \
            "<p>Nội dung <b>chính</b></p>"
        image = article.html.select_one(".lead-image img")
        assert image["width"] == "1000"
        scale = editor.get(image["src"].replace("http://localhost", ""))
        assert scale.content_type == "image/jpeg"
        assert "Hội nghị tuyên giáo khu vực miền núi" in editor.get(NEWS).text
        # A draft: the home page (what the public sees) and anonymous visitors do not have it.
        assert "Hội nghị tuyên giáo khu vực miền núi" not in editor.get("/").text
        assert article.html.select_one(".toolbar-state .state").text == "Bản nháp"
        TestApp(wsgi).get(url, status=404)  # anonymous visitors are not told it exists
        assert "Hội nghị tuyên giáo khu vực miền núi" not in TestApp(wsgi).get(NEWS).text
        conn, site = site_of(editor)
        item = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"][
            "hoi-nghi-tuyen-giao-khu-vuc-mien-nui"]
        assert isinstance(item, NewsItem)
        assert item.creator == "bientap" and item.created == T0 and item.effective == T0
        assert item.tags == ("tuyên giáo", "miền núi")
        assert set(item.image.scales) == {"thumb", "small", "medium"}
        conn.close()

    def test_a_second_item_with_the_same_title_gets_its_own_id(self, editor):
        first = add_news(editor, title="Cùng một tiêu đề").location
        second = add_news(editor, title="Cùng một tiêu đề").location
        assert first.endswith("/cung-mot-tieu-de/") and second.endswith("/cung-mot-tieu-de-2/")

    def test_only_the_types_the_folder_may_hold(self, editor):
        page = editor.get(NEWS + "@@add")
        links = [a["href"].rsplit("=", 1)[1] for a in page.html.select(".choose-list a")]
        assert links == ["Folder", "Page", "NewsItem", "Link", "File", "Image"]
        page = editor.get(NEWS + "@@add?type=Site", status=400)
        assert page.html.select_one(".form-error")

    def test_a_publication_date_is_read_in_the_portals_time_zone(self, editor):
        add_news(editor, title="Bài hẹn giờ", date="2026-11-30", time="07:30")
        conn, site = site_of(editor)
        item = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]["bai-hen-gio"]
        assert item.effective == datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
        conn.close()

    def test_a_file_must_be_a_pdf_or_an_office_document(self, editor):
        form = editor.get(NEWS + "@@add?type=File").forms["manage-form"]
        form["title"] = "Chương trình công tác"
        form["upload"] = ("chuong-trinh.exe", b"MZ\x90\x00" + b"\0" * 100,
                          "application/octet-stream")
        page = form.submit("save", status=400)
        assert "Chỉ" in page.html.select_one("#error-field-file").text
        form = page.forms["manage-form"]
        assert form["title"].value == "Chương trình công tác"
        document = docx()
        form["upload"] = ("chuong-trinh.docx", document, "application/octet-stream")
        article = form.submit("save", status=303).follow()
        download = editor.get(article.html.select_one("a.button")["href"].replace(
            "http://localhost", ""))
        assert download.content_type == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        assert download.body == document

    def test_a_link_is_added_with_its_address_checked(self, editor):
        form = editor.get(AGENCY + "@@add?type=Link").forms["manage-form"]
        form["title"] = "Trang Tỉnh ủy"
        form["url"] = "javascript:alert(1)"
        page = form.submit("save", status=400)
        assert page.html.select_one("#error-field-url")
        page.forms["manage-form"]["url"] = "https://thainguyen.dcs.vn"
        page.forms["manage-form"].submit("save", status=303)


class TestUploadsRefused:
    def test_a_non_image_gives_a_field_error_and_keeps_what_was_typed(self, editor):
        page = add_news(editor, title="Tiêu đề phải giữ lại", status=400,
                        description="Tóm tắt phải giữ lại", body="<p>Thân bài giữ lại</p>",
                        image=("anh.jpg", b"%PDF-1.4 not a picture", "image/jpeg"))
        error = page.html.select_one("#error-field-image").text
        assert "không phải" in error  # Vietnamese, the page's language
        control = page.html.select_one("#field-image")
        assert control["aria-invalid"] == "true"
        assert "error-field-image" in control["aria-describedby"]
        assert page.html.select_one(".error-summary a")["href"] == "#field-image"
        form = page.forms["manage-form"]
        assert form["title"].value == "Tiêu đề phải giữ lại"
        assert form["description"].value == "Tóm tắt phải giữ lại"
        assert form["body"].value == "<p>Thân bài giữ lại</p>"
        assert "uid" not in form.fields  # the refused file is not kept
        assert "Tiêu đề phải giữ lại" not in editor.get(NEWS).text

    def test_a_good_image_is_kept_when_another_field_is_wrong(self, editor):
        page = add_news(editor, title="", status=400, image=("anh.jpg", jpeg(), "image/jpeg"))
        assert page.html.select_one("#error-field-title")
        assert "anh.jpg" in page.html.select_one(".kept").text
        form = page.forms["manage-form"]
        form["title"] = "Ảnh được giữ"
        article = form.submit("save", status=303).follow()
        assert article.html.select_one(".lead-image img")

    def test_an_image_over_the_size_limit_is_refused(self, editor):
        big = jpeg(3000, 3000)  # noisy enough? make sure it is over the 200 kB limit
        big = big + b"\0" * max(0, 200_001 - len(big))
        page = add_news(editor, status=400, image=("lon.jpg", big, "image/jpeg"))
        assert page.html.select_one("#error-field-image").text.strip() == \
            "Ảnh lớn hơn 0,2 MB. Hãy chọn ảnh nhỏ hơn."

    def test_checks_by_content(self):
        assert image_problem(jpeg()) is None
        assert image_problem(b"GIF89a junk") is not None
        assert image_problem(b"") is not None
        huge = io.BytesIO()
        PILImage.new("1", (7000, 7000)).save(huge, "PNG")
        assert "triệu" not in str(image_problem(huge.getvalue()))  # a message, not translated here
        assert "${count}" in image_problem(huge.getvalue())  # the too-many-pixels message
        assert document_type(b"%PDF-1.7 ...", "x.pdf") == "application/pdf"
        assert document_type(docx(), "bao-cao.docx").endswith("wordprocessingml.document")
        assert document_type(docx(), "bao-cao.zip") is None
        assert document_type(b"\xd0\xcf\x11\xe0" + b"\0" * 50, "cu.doc") == "application/msword"
        assert document_type(b"\xd0\xcf\x11\xe0" + b"\0" * 50, "setup.msi") is None
        assert document_type(b"<html>", "x.pdf") is None
        assert clean_filename("C:\\Users\\an\\bao cao.pdf") == "bao cao.pdf"
        assert clean_filename("../../\x00") == "file"

    def test_kept_uploads_belong_to_their_user(self, tmp_path):
        mine = UploadStore(tmp_path, "an", 1000)
        mine["ABC123"] = {"fp": io.BytesIO(b"hello"), "filename": "a.pdf", "mimetype": "x"}
        assert UploadStore(tmp_path, "an", 1000).get("ABC123")["data"] == b"hello"
        assert UploadStore(tmp_path, "binh", 1000).get("ABC123") is None
        assert UploadStore(tmp_path, "an", 1000).get("../etc/passwd") is None
        mine["BIG"] = {"fp": io.BytesIO(b"x" * 2000), "filename": "b.pdf"}
        assert mine["BIG"]["too_large"] and not (tmp_path / "BIG.bin").exists()


class TestEdit:
    def test_edit_sanitises_the_body_and_refreshes_the_public_pages(self, editor):
        url = add_news(editor, title="Bài sẽ sửa").location.replace("http://localhost", "")
        assert "Bài sẽ sửa" in editor.get(NEWS).text
        form = editor.get(url + "@@edit").forms["manage-form"]
        assert form["title"].value == "Bài sẽ sửa"
        form["title"] = "Bài đã sửa"
        form["body"] = ('<p onclick="steal()">An toàn <iframe src="https://evil.example/">'
                        '</iframe><a href="javascript:alert(1)">liên kết</a></p>')
        article = form.submit("save", status=303).follow()
        body = article.html.select_one(".body").decode_contents()
        assert "iframe" not in body and "onclick" not in body and "javascript" not in body
        assert "An toàn" in body
        listing = editor.get(NEWS).text
        assert "Bài đã sửa" in listing and "Bài sẽ sửa" not in listing

    def test_the_image_stays_unless_replaced_or_removed(self, editor):
        url = add_news(editor, title="Bài có ảnh", image=("a.jpg", jpeg(), "image/jpeg")
                       ).location.replace("http://localhost", "")
        page = editor.get(url + "@@edit")
        assert "a.jpg" in page.html.select_one("#help-field-image").text
        form = page.forms["manage-form"]
        form["description"] = "Thêm tóm tắt"
        article = form.submit("save", status=303).follow()
        assert article.html.select_one(".lead-image img")
        form = editor.get(url + "@@edit").forms["manage-form"]
        form["remove_image"] = True
        article = form.submit("save", status=303).follow()
        assert article.html.select_one(".lead-image img") is None

    def test_a_failed_edit_keeps_what_was_typed(self, editor):
        form = editor.get(NEWS + "@@edit").forms["manage-form"]
        form["title"] = ""
        form["description"] = "Mô tả mới của chuyên mục"
        page = form.submit("save", status=400)
        assert page.forms["manage-form"]["description"].value == "Mô tả mới của chuyên mục"
        assert page.html.select_one("#error-field-title").text.strip()

    def test_a_folder_edits_its_order_and_menu_entry(self, editor):
        form = editor.get(AGENCY + "@@edit").forms["manage-form"]
        assert form["order"].value == "manual"
        form["order"] = "date"
        form["in_menu"] = False
        form.submit("save", status=303)
        conn, site = site_of(editor)
        folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        assert folder.order == "date" and folder.in_menu is False
        assert len(folder.keys()) == 5
        conn.close()


class TestRenameDelete:
    def test_rename_changes_the_address_and_is_audited(self, manager):
        editor = manager  # the folder is a section: renaming it is for the board or a Manager
        page = editor.get(EXCHANGE + "@@rename")
        form = form_to(page, "rename")
        form["name"] = "tin-hoat-dong"  # taken by a sibling
        page = form.submit(status=400)
        assert page.html.select_one("#new-name-error")
        assert page.html.select_one("#new-name")["aria-invalid"] == "true"
        form = form_to(page, "rename")
        form["name"] = "Trao đổi"
        assert form.submit(status=400).html.select_one("#new-name-error")
        form["name"] = "nghiep-vu"
        moved = form.submit(status=303)
        assert moved.location.endswith(AGENCY + "nghiep-vu/")
        editor.get(EXCHANGE, status=404)
        editor.get(AGENCY + "nghiep-vu/")
        conn, site = site_of(editor)
        folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        assert folder.keys()[1] == "nghiep-vu"  # kept its place
        entries, _total = get_audit_log(site).query(action="renamed")
        assert entries[0].target == AGENCY.rstrip("/") + "/nghiep-vu"
        assert entries[0].actor == "quantri"
        conn.close()

    def test_delete_asks_first_then_deletes_and_audits(self, editor):
        url = add_news(editor, title="Bài sẽ xóa").location.replace("http://localhost", "")
        page = editor.get(url + "@@delete")
        assert "Bài sẽ xóa" in page.html.select_one(".delete-list").text
        editor.get(url)  # still there after the question
        form_to(page, "delete").submit(status=303)
        editor.get(url, status=404)
        assert "Bài sẽ xóa" not in editor.get(NEWS).text
        conn, site = site_of(editor)
        entries, _total = get_audit_log(site).query(action="deleted")
        assert entries[0].target == url.rstrip("/") and entries[0].actor == "bientap"
        conn.close()

    def test_the_site_cannot_be_deleted(self, manager):
        page = manager.get("/@@delete", status=403)
        assert page.html.select_one(".form-error")
        manager.post("/@@delete", {"csrf_token": csrf(manager)}, status=403)
        manager.get("/")


class TestContents:
    def test_the_table_lists_sorts_and_pages(self, editor, wsgi):
        conn, site = site_of(editor)
        folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        with transaction.manager:
            for n in range(60):
                item = NewsItem(f"Tin số {n:02d}")
                item.set_dates(datetime(2025, 1, 1, tzinfo=UTC).replace(day=1 + n % 28,
                                                                          month=1 + n // 28))
                folder.add(f"tin-so-{n:02d}", item, registry=wsgi.registry)
        conn.close()
        page = editor.get(NEWS + "@@contents")
        table = page.html.select_one("table.contents-table")
        assert table.select_one("caption")
        assert [th["scope"] for th in table.select("thead th")] == ["col"] * 6
        rows = table.select("tbody tr")
        assert len(rows) == 50
        assert "Hội nghị báo cáo viên" in rows[0].select_one("th").text  # newest first
        second = editor.get(NEWS + "@@contents?page=2")
        assert len(second.html.select("tbody tr")) == 12
        by_title = editor.get(NEWS + "@@contents?sort=title").html.select("tbody th a:first-child")
        titles = [a.text for a in by_title]
        assert titles == sorted(titles, key=fold) and len(titles) == 50
        by_type = editor.get(NEWS + "@@contents?sort=type")
        assert len(by_type.html.select("tbody tr")) == 50

    def test_move_up_and_down_in_a_manual_folder(self, editor):
        page = editor.get(AGENCY + "@@contents")
        assert page.html.select_one("tbody tr").select_one("button[name=down]")
        assert page.html.select_one("tbody tr").select_one("button[name=up]") is None
        form = form_to(page, "contents")
        result = form.submit("down", index=0, status=303)
        assert "row-tin-hoat-dong" in result.location
        conn, site = site_of(editor)
        assert site["xay-dung-dang"]["cong-tac-tuyen-giao"].keys()[:2] == [
            "trao-doi-nghiep-vu", "tin-hoat-dong"]
        conn.close()
        page = editor.get(AGENCY + "@@contents")
        form_to(page, "contents").submit("up", index=0, status=303)  # first up button: row 2
        conn, site = site_of(editor)
        assert site["xay-dung-dang"]["cong-tac-tuyen-giao"].keys()[0] == "tin-hoat-dong"
        conn.close()

    def test_bulk_delete_asks_first(self, editor):
        add_news(editor, title="Xóa một")
        add_news(editor, title="Xóa hai")
        page = editor.get(NEWS + "@@contents")
        form = form_to(page, "contents")
        for box in form.fields["names"]:
            if box._value in ("xoa-mot", "xoa-hai"):
                box.checked = True
        confirm = form.submit("action", value="delete", status=200)
        assert len(confirm.html.select(".delete-list li")) == 2
        assert "Xóa một" in editor.get(NEWS).text  # nothing deleted yet
        done = form_to(confirm, "delete-items").submit(status=303).follow()
        assert done.html.select_one(".form-ok")
        listing = editor.get(NEWS).text
        assert "Xóa một" not in listing and "Xóa hai" not in listing
        conn, site = site_of(editor)
        assert get_audit_log(site).query(action="deleted")[1] == 2
        conn.close()

    def test_nothing_selected_is_said(self, editor):
        page = editor.get(NEWS + "@@contents")
        result = form_to(page, "contents").submit("action", value="cut", status=400)
        assert result.html.select_one(".form-error")


def select(form, *names):
    for box in form.fields["names"]:
        box.checked = box._value in names


class TestClipboard:
    def test_copy_and_paste_makes_a_deep_copy(self, editor):
        add_news(editor, title="Bài sao chép", image=("a.jpg", jpeg(), "image/jpeg"))
        form = form_to(editor.get(NEWS + "@@contents"), "contents")
        select(form, "bai-sao-chep")
        form.submit("action", value="copy", status=303)
        assert "portal_clipboard" in editor.cookies
        page = editor.get(EXCHANGE + "@@contents")
        assert page.html.select_one(".paste-form")
        form_to(page, "paste").submit(status=303)
        copy = editor.get(EXCHANGE + "bai-sao-chep/")
        original = editor.get(NEWS + "bai-sao-chep/")
        copy_src = copy.html.select_one(".lead-image img")["src"].replace("http://localhost", "")
        assert editor.get(copy_src).body == editor.get(
            original.html.select_one(".lead-image img")["src"].replace("http://localhost", "")
        ).body
        conn, site = site_of(editor)
        section = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        one, two = section["tin-hoat-dong"]["bai-sao-chep"], section["trao-doi-nghiep-vu"][
            "bai-sao-chep"]
        assert one is not two and one.image is not two.image
        assert one.image.blob is not two.image.blob
        conn.close()
        # pasting the copy again into the same folder gives a new id
        form_to(editor.get(EXCHANGE + "@@contents"), "paste").submit(status=303)
        editor.get(EXCHANGE + "bai-sao-chep-2/")

    def test_a_folder_is_copied_with_everything_inside(self, editor):
        form = form_to(editor.get(AGENCY + "@@contents"), "contents")
        select(form, "tin-hoat-dong")
        form.submit("action", value="copy", status=303)
        form_to(editor.get(EXCHANGE + "@@contents"), "paste").submit(status=303)
        copied = editor.get(EXCHANGE + "tin-hoat-dong/@@contents")
        original = editor.get(NEWS + "@@contents")
        assert [th.a.text for th in copied.html.select("tbody th")] == \
            [th.a.text for th in original.html.select("tbody th")]
        assert len(copied.html.select("tbody tr")) >= 2

    def test_cut_and_paste_moves_and_is_audited(self, editor):
        add_news(editor, title="Bài chuyển đi")
        form = form_to(editor.get(NEWS + "@@contents"), "contents")
        select(form, "bai-chuyen-di")
        form.submit("action", value="cut", status=303)
        form_to(editor.get(EXCHANGE + "@@contents"), "paste").submit(status=303)
        editor.get(NEWS + "bai-chuyen-di/", status=404)
        editor.get(EXCHANGE + "bai-chuyen-di/")
        assert "Bài chuyển đi" in editor.get(EXCHANGE).text
        assert "Bài chuyển đi" not in editor.get(NEWS).text
        assert editor.get(EXCHANGE + "@@contents").html.select_one(".paste-form") is None
        conn, site = site_of(editor)
        entries, _total = get_audit_log(site).query(action="moved")
        assert entries[0].target == EXCHANGE + "bai-chuyen-di"
        assert entries[0].details == "from " + NEWS + "bai-chuyen-di"
        conn.close()

    def test_a_folder_is_never_pasted_into_itself(self, manager):
        editor = manager  # moving a section is for the board or a Manager
        form = form_to(editor.get(AGENCY + "@@contents"), "contents")
        select(form, "tin-hoat-dong")
        form.submit("action", value="cut", status=303)
        page = form_to(editor.get(NEWS + "@@contents"), "paste").submit(status=400)
        assert page.html.select_one(".form-error")
        editor.get(NEWS)

    def test_a_forged_clipboard_cookie_is_ignored(self, editor):
        editor.set_cookie("portal_clipboard", "eyJvcCI6ICJjdXQifQ")
        page = editor.get(EXCHANGE + "@@contents")
        assert page.html.select_one(".paste-form") is None

    def test_pasting_what_the_user_may_not_take_is_refused(self, editor, manager):
        form = form_to(manager.get(OTHER + "@@contents"), "contents")
        select(form, "tin-hoat-dong")
        form.submit("action", value="cut", status=303)
        # the manager's cookie in the editor's browser names another user: ignored
        editor.set_cookie("portal_clipboard", manager.cookies["portal_clipboard"])
        assert editor.get(EXCHANGE + "@@contents").html.select_one(".paste-form") is None


@pytest.fixture
def authors(demo_copy, tmp_path):
    """(app, author, other author, manager): ``tacgia`` writes for agency A (Author on it and
    on the internal area), ``tacgiakhac`` for agency B and in agency A's exchange folder."""
    db = open_db(demo_copy)
    conn = db.open()
    with transaction.manager:
        site = conn.root()["portal"]
        agency = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        for login, places in (("tacgia", (agency, site["noi-bo"])),
                              ("tacgiakhac", (site["xay-dung-dang"]["cong-tac-to-chuc"],
                                              agency["trao-doi-nghiep-vu"]))):
            user = User(login, f"Người dùng {login}", f"{login}@example.vn")
            user.set_password(PASSWORD)
            site.users.add(user)
            for place in places:
                set_local_roles(place, f"user:{login}", ("Author",))
    conn.close()
    db.close()
    app = build(demo_copy, **{"portal.upload_tmp_dir": str(tmp_path / "uploads")})
    browsers = [TestApp(app) for _n in range(3)]
    sign_in(browsers[0], "tacgia")
    sign_in(browsers[1], "tacgiakhac")
    page = sign_in(browsers[2], "quantri").follow()
    form = form_to(page, "login-code")
    form["code"] = pyotp.TOTP(SECRET).at(T0)
    form.submit(status=303)
    yield (app, *browsers)
    app.registry._zodb_databases[""].close()


def copy_into(browser, source, names, target, status):
    """Copy ``names`` from the folder ``source`` and paste them into ``target``."""
    form = form_to(browser.get(source + "@@contents"), "contents")
    select(form, *names)
    form.submit("action", value="copy", status=303)
    return form_to(browser.get(target + "@@contents"), "paste").submit(status=status)


def titles_below(app, path):
    """Titles of everything below the site path ``path``, with their creators."""
    conn, site = site_of(TestApp(app))
    node = site
    for name in path.strip("/").split("/"):
        node = node[name]
    found, todo = [], list(node.values())
    while todo:
        obj = todo.pop()
        found.append((obj.title, obj.creator))
        if obj.is_container:
            todo.extend(obj.values())
    conn.close()
    return found


class TestCopyingWhatOneMayNotView:
    DRAFT = "Bản nháp của Ban Tổ chức chưa gửi duyệt"

    def test_another_agencys_draft_stays_behind_and_the_copier_is_told(self, authors):
        app, author, other, _manager = authors
        add_news(other, folder=EXCHANGE, title=self.DRAFT)
        author.get(EXCHANGE + slugify(self.DRAFT) + "/", status=403)
        page = copy_into(author, AGENCY, ["trao-doi-nghiep-vu"], AGENCY, status=200)
        assert "1" in page.html.select_one(".form-error").text
        assert "Đã dán: 1." in page.html.select_one(".form-ok").text
        copied = titles_below(app, AGENCY + "trao-doi-nghiep-vu-2")
        assert copied and self.DRAFT not in [title for title, _creator in copied]
        # The original is untouched, and still its author's.
        assert (self.DRAFT, "tacgiakhac") in titles_below(app, EXCHANGE)

    def test_the_private_part_of_the_internal_area_stays_behind(self, authors):
        app, author, _other, manager = authors
        form = manager.get("/noi-bo/@@add?type=Folder").forms["manage-form"]
        form["title"] = "Tài liệu hội nghị"
        form.submit("save", status=303)
        share = form_to(manager.get("/noi-bo/tai-lieu-hoi-nghi/"), "transition")
        share.submit("transition", value="share", status=303)
        for title in ("Báo cáo mật của Thường trực", "Thông báo chung"):
            form = manager.get("/noi-bo/tai-lieu-hoi-nghi/@@add?type=Page").forms["manage-form"]
            form["title"], form["body"] = title, f"<p>{title}</p>"
            form.submit("save", status=303)
        share = form_to(manager.get("/noi-bo/tai-lieu-hoi-nghi/thong-bao-chung/"), "transition")
        share.submit("transition", value="share", status=303)
        page = copy_into(author, "/noi-bo/", ["tai-lieu-hoi-nghi"], AGENCY, status=200)
        assert page.html.select_one(".form-error")
        copied = titles_below(app, AGENCY + "tai-lieu-hoi-nghi")
        assert copied == [("Thông báo chung", "tacgia")]
        author.get(AGENCY + "tai-lieu-hoi-nghi/bao-cao-mat-cua-thuong-truc/", status=404)
        # Naming the private page itself in the form puts nothing on the clipboard.
        response = author.post("/noi-bo/tai-lieu-hoi-nghi/@@contents", {
            "csrf_token": csrf(author), "action": "copy", "names": "bao-cao-mat-cua-thuong-truc"},
            status=400)
        assert "portal_clipboard" not in response.headers.get("Set-Cookie", "")


class TestRefusals:
    @pytest.mark.parametrize("view", ["@@edit", "@@add?type=NewsItem", "@@delete",
                                      "@@contents", "@@rename", "@@add"])
    def test_an_editor_gets_403_in_another_agency_and_on_the_site(self, editor, view):
        for where in (OTHER, OTHER + "tin-hoat-dong/", "/"):
            page = editor.get(where + view, status=403)
            assert "Không được phép" in main_text(page)

    def test_refused_posts_change_nothing(self, editor):
        token = csrf(editor)
        editor.post(OTHER + "@@delete", {"csrf_token": token}, status=403)
        editor.post(OTHER + "@@paste", {"csrf_token": token}, status=403)
        editor.post(OTHER + "@@contents", {"csrf_token": token, "action": "delete",
                                           "names": "tin-hoat-dong"}, status=403)
        editor.post("/@@delete-items", {"csrf_token": token, "names": "gioi-thieu"}, status=403)
        editor.get(OTHER)

    def test_renaming_needs_the_right_to_edit_the_folder(self, editor):
        editor.get(AGENCY + "@@rename", status=403)  # its folder is not the editor's
        editor.get(NEWS + "@@rename", status=403)  # a section: the board's or a Manager's
        item = add_news(editor).location.replace("http://localhost", "")
        editor.get(item + "@@rename")

    def test_anonymous_visitors_are_refused_with_a_way_to_sign_in(self, anonymous):
        for view in ("@@edit", "@@add?type=NewsItem", "@@delete", "@@contents", "@@rename"):
            page = anonymous.get(NEWS + view, status=403)
            link = page.html.select_one("main a.button")["href"]
            assert "@@login?came_from=" in link
            assert "cong-tac-tuyen-giao" in link
        assert anonymous.get(NEWS).html.select_one("nav.toolbar") is None

    def test_a_member_without_roles_is_refused(self, wsgi):
        app = TestApp(wsgi)
        sign_in(app, "thanhvien")
        app.get(NEWS + "@@edit", status=403)
        toolbar = app.get(NEWS).html.select_one("nav.toolbar")
        assert [a.text for a in toolbar.select("a")] == ["Xem", "Việc cần duyệt", "Việc của tôi"]

    def test_posts_without_the_csrf_token_are_refused(self, editor):
        editor.post(NEWS + "@@add?type=NewsItem", {"title": "Không token"}, status=400)
        editor.post(NEWS + "@@edit", {"title": "Không token"}, status=400)
        editor.post(NEWS + "@@delete", {}, status=400)
        editor.post(NEWS + "@@rename", {"name": "khac"}, status=400)
        editor.post(AGENCY + "@@contents", {"up": "trao-doi-nghiep-vu"}, status=400)
        editor.post(AGENCY + "@@delete-items", {"names": "tin-hoat-dong"}, status=400)
        editor.post(AGENCY + "@@paste", {}, status=400)
        editor.get(NEWS)
        assert "Không token" not in editor.get(NEWS).text


class TestToolbar:
    def test_the_editor_sees_what_they_may_do_here(self, editor):
        toolbar = editor.get(NEWS).html.select_one("nav.toolbar")
        assert toolbar["aria-label"]
        links = toolbar.select(".toolbar-list > li > a")
        assert links[2]["href"].endswith(NEWS + "@@history")
        labels = [a.text for a in links]
        # No renaming or deleting: the folder is a section (it holds published items).
        assert labels == ["Xem", "Sửa", "Lịch sử", "Nội dung", "Việc cần duyệt",
                          "Việc của tôi"]
        added = [a["href"].rsplit("=", 1)[1] for a in toolbar.select("details a")]
        assert added == ["Folder", "Page", "NewsItem", "Link", "File", "Image"]
        other = editor.get(OTHER).html.select_one("nav.toolbar")
        assert [a.text for a in other.select("a")] == ["Xem", "Việc cần duyệt", "Việc của tôi"]

    def test_the_manager_sees_the_administration(self, manager):
        toolbar = manager.get("/").html.select_one("nav.toolbar")
        hrefs = [a["href"] for a in toolbar.select("a")]
        assert "http://localhost/@@users" in hrefs and "http://localhost/@@audit-log" in hrefs
        assert "http://localhost/@@sharing" in hrefs
        assert "http://localhost/@@delete" not in hrefs

    def test_the_forms_load_the_editor_from_this_site_only(self, editor):
        page = editor.get(NEWS + "@@add?type=NewsItem")
        scripts = [s["src"] for s in page.html.select("script")]
        assert all(src.startswith("http://localhost/") for src in scripts)
        assert not page.html.select("script:not([src])")  # nothing inline (CSP)
        assert page.html.select_one("textarea[data-richtext]")
        editor.get("/tinymce/tinymce.min.js")
        editor.get("/tinymce/plugins/lists/plugin.min.js")

    def test_the_english_interface(self, editor):
        editor.get("/@@set-language?lang=en")
        page = editor.get(NEWS + "@@add?type=NewsItem")
        assert page.html.select_one("label[for=field-title]").text.startswith("Title")
        page = add_news(editor, title="", status=400)
        assert page.html.select_one("#error-field-title").text.strip() == "Required"


class TestClone:
    def test_a_copy_is_deep_and_takes_no_local_grants(self):
        from portal.content.blobs import ImageData
        from portal.content.types import Folder, Page
        from portal.views.manage.clipboard import clone

        folder = Folder("Gốc", order="date")
        page = folder.add("trang", Page("Trang con", body="<p>x</p>", tags=("a",)),
                          send_events=False)
        page.image = ImageData(jpeg(), "a.jpg")
        set_local_roles(folder, "group:khac", ("Editor",))
        folder._block_local_roles = True
        folder._permission_map = {"view": ("Manager",)}
        copy = clone(folder, T0, "an")
        assert copy is not folder and copy.order == "date" and copy.keys() == ["trang"]
        assert copy["trang"] is not page and copy["trang"].body == "<p>x</p>"
        assert copy["trang"].image is not page.image
        assert copy["trang"].image.scales["thumb"] is not page.image.scales["thumb"]
        with copy["trang"].image.blob.open("r") as a, page.image.blob.open("r") as b:
            assert a.read() == b.read()
        assert copy.creator == "an" and copy.created == T0
        assert getattr(copy, "_local_roles", None) is None
        assert copy._block_local_roles and copy._permission_map == {"view": ("Manager",)}


class TestAgencyRoot:
    def test_an_agencys_editor_cannot_delete_or_move_the_agencys_own_section(self, editor):
        editor.get(AGENCY + "@@delete", status=403)
        toolbar = editor.get(AGENCY).html.select_one("nav.toolbar")
        assert "Xóa" not in [a.text for a in toolbar.select("a")]
        editor.get(NEWS + "@@delete", status=403)  # a section inside it: neither
        form = editor.get(AGENCY + "@@add?type=Folder").forms["manage-form"]
        form["title"] = "Thư mục nháp"
        folder = form.submit("save", status=303).location.replace("http://localhost", "")
        editor.get(folder + "@@delete")  # a folder of drafts inside it they may


# In headless Chromium: the rich-text editor under the real Content-Security-Policy ----------

@pytest.fixture(scope="module")
def manage_server(tmp_path_factory, demo_var):
    """Base URL of a site whose agency editor signs in with two steps (waitress thread)."""
    import shutil
    import threading

    from waitress import create_server

    var = tmp_path_factory.mktemp("manage-browser") / "var"
    shutil.copytree(demo_var, var)
    app = build(var, two_step_editor=True,
                **{"portal.upload_tmp_dir": str(var.parent / "uploads")})
    # The browser expires cookies by its own clock: the portal's must be near it.
    clock = app.registry.portal_clock = FixedClock(datetime.now(UTC))
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", clock
    server.close()
    thread.join(timeout=5)
    app.registry._zodb_databases[""].close()


def in_own_chromium(scenario):
    """Run ``scenario(browser)`` with a Chromium of its own, in a thread of its own.

    The browser tests of tests/browser keep Playwright's synchronous API busy in the main
    thread for the whole session; a second instance only runs beside it in another thread.
    """
    import os
    import threading

    from playwright.sync_api import sync_playwright

    from .browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium or run .ci/run",
                    pytrace=False)
    outcome = {}

    def run():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS)
                try:
                    scenario(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 (re-raised in the test's thread)
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="manage-browser-test")
    thread.start()
    thread.join(timeout=600)
    if thread.is_alive():
        pytest.fail("the browser scenario did not finish in 10 minutes")
    if "error" in outcome:
        raise outcome["error"]


@pytest.mark.browser
class TestInTheBrowser:
    def test_an_editor_writes_an_article_with_the_editor_and_an_image(
            self, manage_server, axe_script, screenshot_dir, tmp_path):  # noqa: F811
        picture = tmp_path / "anh-hoi-nghi.jpg"
        picture.write_bytes(jpeg(1200, 700))
        in_own_chromium(lambda browser: self.scenario(
            browser, manage_server, axe_script, screenshot_dir, picture))

    def scenario(self, browser, manage_server, axe_script, screenshot_dir, picture):  # noqa: F811
        from .browser.test_pages import check_page

        base, clock = manage_server
        for width in (375, 1280):
            clock.advance(timedelta(seconds=60))  # a new code for each sign-in (no replay)
            context = browser.new_context(viewport={"width": width, "height": 800})
            page = context.new_page()
            problems = []
            page.on("console", lambda message, problems=problems: problems.append(
                message.text) if message.type == "error" else None)
            try:
                page.goto(base + "/@@login")
                page.fill("#login", "bientap")
                page.fill("#password", PASSWORD)
                page.click("form.form button[type=submit]")
                page.wait_for_url("**/@@login-code**")  # two steps for everybody here
                page.fill("input[name=code]", pyotp.TOTP(SECRET).at(clock.now()))
                page.click("form.form button[type=submit]")
                page.wait_for_url(base + "/")
                page.goto(base + NEWS + "@@add?type=NewsItem")
                page.wait_for_selector(".tox-tinymce")
                check_page(page, "manage-add", width, axe_script, screenshot_dir)
                title = f"Bài viết soạn trên trình duyệt {width}"
                page.fill("#field-title", title)
                page.frame_locator(".tox-edit-area iframe").locator("body").click()
                page.keyboard.type("Hội nghị đã thành công ")
                page.keyboard.press("Control+B")
                page.keyboard.type("tốt đẹp")
                page.set_input_files("#field-image", str(picture))
                page.fill("#field-image_caption", "Quang cảnh hội nghị")
                page.click("button[name=save]")
                page.wait_for_selector("article .body strong")
                assert page.inner_text("article h1") == title
                assert page.inner_text("article .body strong") == "tốt đẹp"
                assert page.evaluate("document.querySelector('.lead-image img').naturalWidth") > 0
                assert problems == [], problems  # nothing refused by the CSP, no script error
                page.goto(base + NEWS + "@@contents")
                assert title in page.inner_text("table")
                check_page(page, "manage-contents", width, axe_script, screenshot_dir)
            finally:
                context.close()
