"""What shared caches may keep (S8): through WebTest with the injected clock, everything that
anonymous visitors could not get answers ``Cache-Control: private, no-store`` (files and image
scales of drafts and of /noi-bo/, the dashboard, the audit log, the two-step page with its
secret, public pages seen signed in), while public pages seen anonymously keep their caching
and vary by Cookie."""
import pytest
from webtest import TestApp

from portal.content.blobs import FileData, ImageData
from portal.content.types import File, NewsItem

from .conftest import add_user, clocked_app, editing
from .test_catalog import app_site
from .test_feeds import _add
from .test_login import people, sign_in
from .test_manage import jpeg

NEWS = "xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong"
DRAFT = f"/{NEWS}/ban-nhap-co-anh/"
DRAFT_FILE = f"/{NEWS}/van-ban-nhap/"
PUBLIC = f"/{NEWS}/tin-cong-khai-co-anh/"
INTERNAL = "/noi-bo/thong-bao-co-anh/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PRIVATE = "private, no-store"


@pytest.fixture
def portal(demo_copy):
    """(app, clock) over a demo copy with an agency editor, a plain member and a Manager, a
    draft with an image, a draft file, a published item with an image and an internal one."""
    with editing(demo_copy) as site:
        add_user(site, "bientap", "Biên Tập", groups=("ban-tuyen-giao",))
        add_user(site, "canbo", "Cán Bộ")
        add_user(site, "quantri", "Quản Trị", roles=("Manager",))
    app, clock = clocked_app(demo_copy)
    registry = app.registry
    with app_site(app) as site:
        news = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        for name, state, folder in (("ban-nhap-co-anh", None, news),
                                    ("tin-cong-khai-co-anh", "published", news),
                                    ("thong-bao-co-anh", "internal", site["noi-bo"])):
            item = NewsItem(f"Tin {name}", "Lời dẫn.")
            item.image = ImageData(jpeg(), "anh.jpg")
            _add(registry, folder, name, item, state)
        document = File("Văn bản nháp")
        document.file = FileData(PDF, "van-ban.pdf", "application/pdf")
        _add(registry, news, "van-ban-nhap", document)
    yield app, clock
    app.registry._zodb_databases[""].close()


def assert_private(response):
    assert response.headers["Cache-Control"] == PRIVATE
    assert "Expires" not in response.headers


def files_of(path):
    """The addresses streaming an item's blobs: the original image and every scale, or the
    file."""
    if path == DRAFT_FILE:
        return [path + "@@download"]
    return [path + "@@image/" + scale
            for scale in ("original", "thumb", "small", "medium", "large")]


class TestWhatAnonymousVisitorsCannotGet:
    @pytest.mark.parametrize("path", [DRAFT, DRAFT_FILE])
    def test_files_and_scales_of_a_draft(self, portal, path):
        app, clock = portal
        editor = people(app, clock)("bientap")
        assert_private(editor.get(path))
        for url in files_of(path):
            response = editor.get(url)
            assert response.body[:4] in (b"\xff\xd8\xff\xe0", PDF[:4])
            assert_private(response)
            # Range and conditional requests still work, privately.
            ranged = editor.get(url, headers={"Range": "bytes=0-1"}, status=206)
            assert_private(ranged)
            assert_private(TestApp(app).get(url, status=[403, 404]))  # refused or hidden

    def test_an_internal_item_and_its_image(self, portal):
        app, clock = portal
        member = people(app, clock)("canbo")
        assert_private(member.get(INTERNAL))
        assert_private(member.get("/noi-bo/"))
        for url in files_of(INTERNAL):
            assert_private(member.get(url))
            assert_private(TestApp(app).get(url, status=[403, 404]))

    def test_the_dashboard_and_the_audit_log(self, portal):
        app, clock = portal
        person = people(app, clock, two_step=("quantri",))
        assert_private(person("bientap").get("/@@dashboard"))
        manager = person("quantri")
        assert_private(manager.get("/@@dashboard"))
        assert_private(manager.get("/@@audit-log"))
        assert_private(manager.get("/@@users"))

    def test_the_two_step_page_and_its_secret(self, portal):
        app, _clock = portal
        browser = TestApp(app)
        redirect = sign_in(browser, "quantri")
        assert "@@two-step-setup" in redirect.headers["Location"]
        first = browser.get("/@@two-step-setup")
        secret = first.html.select_one("code.secret").text
        assert_private(first)
        # Once the pending cookie holds the secret, the page sets no cookie: still private.
        again = browser.get("/@@two-step-setup")
        assert again.html.select_one("code.secret").text == secret
        assert "Set-Cookie" not in again.headers
        assert_private(again)
        assert_private(browser.get("/@@login-code", status=303))

    @pytest.mark.parametrize("path", ["/", f"/{NEWS}/", PUBLIC, "/search?q=nghi+quyet",
                                      "/khong-co-trang-nay/"])
    def test_public_pages_seen_signed_in(self, portal, path):
        app, clock = portal
        status = 404 if "khong" in path else 200
        editor = people(app, clock)("bientap")
        page = editor.get(path, status=status)
        assert page.html.select_one(".user-bar strong").text == "Biên Tập"
        assert_private(page)

    def test_a_response_setting_a_cookie(self, portal):
        app, _clock = portal
        visitor = TestApp(app)
        # The sign-in form gives a new visitor the CSRF token's cookie.
        login = visitor.get("/@@login")
        assert any(c.startswith("portal_csrf=") for c in login.headers.getall("Set-Cookie"))
        assert_private(login)
        language = visitor.get("/@@set-language?lang=en", status=303)
        assert_private(language)


class TestWhatEveryoneGets:
    @pytest.mark.parametrize("path", ["/", f"/{NEWS}/", PUBLIC, "/khong-co-trang-nay/"])
    def test_public_pages_seen_anonymously_vary_by_cookie(self, portal, path):
        app, _clock = portal
        status = 404 if "khong" in path else 200
        page = TestApp(app).get(path, status=status)
        assert page.html.select_one(".user-bar strong") is None
        assert "Cache-Control" not in page.headers  # as before: no caching header of its own
        assert page.headers.getall("Vary") == ["Cookie"]

    @pytest.mark.parametrize("who", ["anonymous", "bientap"])
    def test_files_of_a_public_item_stay_cacheable(self, portal, who):
        app, clock = portal
        browser = people(app, clock)(who)
        for url in files_of(PUBLIC):
            response = browser.get(url)
            directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
            assert directives == {"public", "max-age=3600"}
            assert "Expires" in response.headers and "Vary" not in response.headers
            since = response.headers["Last-Modified"]
            browser.get(url, headers={"If-Modified-Since": since}, status=304)

    def test_feeds_keep_their_public_caching_and_etag(self, portal):
        app, clock = portal
        for who in ("anonymous", "bientap"):
            feed = people(app, clock)(who).get("/rss.xml")
            assert feed.headers["Cache-Control"] == "public, max-age=300"
            TestApp(app).get("/rss.xml", headers={"If-None-Match": feed.headers["ETag"]},
                             status=304)

    def test_static_files_keep_their_headers(self, portal):
        app, clock = portal
        for who in ("anonymous", "bientap"):
            css = people(app, clock)(who).get("/static/portal.css")
            assert css.headers["Cache-Control"] == "max-age=86400"
            assert "Vary" not in css.headers



def test_an_error_page_is_private_and_stays_an_error_page(portal):
    """The caching tween reads the context; when reading it is what failed, the error page
    is still answered (500, no traceback), and kept by no cache."""
    app, _clock = portal
    with app_site(app) as site:
        item = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"][
            "tin-cong-khai-co-anh"]
        item.effective = "not a date"
    page = TestApp(app).get(PUBLIC, status=500)
    assert "Đã có lỗi xảy ra" in page.text and "Traceback" not in page.text
    assert_private(page)
