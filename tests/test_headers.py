"""Security headers on every response, and the CSRF refusal page (S2)."""
import pytest
from pyramid.config import Configurator
from pyramid.csrf import CookieCSRFStoragePolicy
from pyramid.response import Response
from webtest import TestApp

from portal.security.headers import CONTENT_SECURITY_POLICY, HSTS

from .conftest import make_app

EXPECTED_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                "frame-ancestors 'self'; frame-src 'none'")
CSRF_MESSAGE = ("Biểu mẫu đã hết hạn hoặc được gửi từ một trang web khác. "
                "Hãy quay lại, tải lại trang và gửi lại.")


def assert_security_headers(response):
    headers = response.headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    policy = {part.strip() for part in headers["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()"} <= policy
    # Each header once: a second copy from a view and the tween would confuse browsers.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert len(headers.getall(name)) == 1, name


def image_scale_url(testapp):
    page = testapp.get("/tin-tuc-su-kien/trong-tinh/")
    src = page.html.select_one(".item-image img")["src"]
    return src.split("localhost", 1)[-1].rsplit("/", 1)[0] + "/small"


class TestHeaders:
    def test_the_policy_is_the_documented_one(self):
        assert CONTENT_SECURITY_POLICY == EXPECTED_CSP

    def test_html_page(self, testapp):
        page = testapp.get("/")
        assert page.content_type == "text/html"
        assert_security_headers(page)
        assert "Strict-Transport-Security" not in page.headers

    def test_static_file_is_served_whole_with_the_headers(self, testapp):
        css = testapp.get("/static/portal.css")
        assert css.content_type == "text/css" and b"{" in css.body
        assert_security_headers(css)

    def test_image_scale_keeps_its_body_and_range_support(self, testapp):
        url = image_scale_url(testapp)
        image = testapp.get(url)
        assert image.content_type == "image/jpeg" and image.body[:2] == b"\xff\xd8"
        assert_security_headers(image)
        ranged = testapp.get(url, headers={"Range": "bytes=0-1"}, status=206)
        assert ranged.body == b"\xff\xd8"
        assert_security_headers(ranged)

    def test_not_found(self, testapp):
        page = testapp.get("/khong-co-trang-nay/", status=404)
        assert page.html.select_one("#site-menu")
        assert_security_headers(page)

    def test_redirect_keeps_its_location_and_cookie(self, testapp):
        response = testapp.get("/@@set-language?lang=en", status=303)
        assert response.headers["Location"]
        assert any(c.startswith("portal_lang=en") for c in response.headers.getall("Set-Cookie"))
        assert_security_headers(response)

    @pytest.mark.parametrize("path", ["/", "/static/portal.css", "/khong-co-trang-nay/"])
    def test_hsts_only_over_https(self, testapp, path):
        status = 404 if "khong" in path else 200
        secure = testapp.get(path, extra_environ={"wsgi.url_scheme": "https"}, status=status)
        assert secure.headers["Strict-Transport-Security"] == HSTS
        assert_security_headers(secure)
        plain = testapp.get(path, status=status)
        assert "Strict-Transport-Security" not in plain.headers


@pytest.fixture
def probe_app(demo_copy):
    """The demo application plus a POST-only view that requires the CSRF token."""
    app = make_app(demo_copy)
    config = Configurator(registry=app.registry)
    # The portal's own policy already (portal_csrf cookie); set here too so the test does not
    # depend on it, with the same cookie name.
    config.set_csrf_storage_policy(CookieCSRFStoragePolicy(cookie_name="portal_csrf"))
    config.add_view(lambda request: Response("probe accepted"), name="csrf-probe",
                    request_method="POST", require_csrf=True, permission="view")
    config.commit()
    yield TestApp(app)
    app.registry._zodb_databases[""].close()


class TestCsrfRefusal:
    def test_a_post_without_token_is_refused_inside_the_layout(self, probe_app):
        page = probe_app.post("/@@csrf-probe", {"title": "x"}, status=400)
        assert "probe accepted" not in page.text
        assert page.html.select_one("#site-menu")
        assert page.html.select_one("main h1").text.strip() == "Không gửi được biểu mẫu"
        assert " ".join(page.html.select_one("main .csrf-message").text.split()) == CSRF_MESSAGE
        assert "Traceback" not in page.text and "BadCSRFToken" not in page.text
        assert_security_headers(page)

    def test_a_wrong_token_is_refused(self, probe_app):
        probe_app.set_cookie("portal_csrf", "the-real-token")
        page = probe_app.post("/@@csrf-probe", {"csrf_token": "forged"}, status=400)
        assert page.html.select_one("main .csrf-message")

    def test_the_refusal_speaks_english_under_the_english_interface(self, probe_app):
        probe_app.set_cookie("portal_lang", "en")
        page = probe_app.post("/@@csrf-probe", status=400)
        assert "The form had expired or came from another site." in page.text
        assert page.html.find("html")["lang"] == "en"

    def test_the_token_of_the_cookie_is_accepted(self, probe_app):
        probe_app.set_cookie("portal_csrf", "the-real-token")
        by_field = probe_app.post("/@@csrf-probe", {"csrf_token": "the-real-token"})
        assert by_field.text == "probe accepted"
        by_header = probe_app.post("/@@csrf-probe",
                                   headers={"X-CSRF-Token": "the-real-token"})
        assert by_header.text == "probe accepted"
        assert_security_headers(by_header)

    def test_another_origin_over_https_is_refused(self, probe_app):
        probe_app.set_cookie("portal_csrf", "the-real-token")
        page = probe_app.post(
            "/@@csrf-probe", {"csrf_token": "the-real-token"},
            headers={"Origin": "https://evil.example", "Referer": "https://evil.example/f"},
            extra_environ={"wsgi.url_scheme": "https", "HTTP_HOST": "localhost"}, status=400)
        assert page.html.select_one("main .csrf-message")
        assert page.headers["Strict-Transport-Security"] == HSTS
