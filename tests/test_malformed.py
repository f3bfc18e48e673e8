"""Malformed input never answers 5xx: it gets 400 with the layout's plain page (S2, E3).

Each malformed request is sent to every public and form address, anonymously and as an
editor; none may answer 5xx, and those whose input is malformed get the "bad request" page.
"""
import pytest
from webtest import TestApp

from portal.security.localroles import set_local_roles

from .conftest import PASSWORD, add_user, clocked_app, editing
from .test_login import form_to, sign_in

SECTION = "/xay-dung-dang/cong-tac-tuyen-giao/"
NEWS = SECTION + "tin-hoat-dong/"
PUBLIC = ["/", SECTION, NEWS, "/search", "/search-suggest", "/@@login", "/@@forgot-password",
          "/@@reset-password", "/@@set-language", "/static/portal.css"]
# Invalid UTF-8, overlong encodings and NUL bytes, in the path and in query values.
BAD_PATHS = ["/%ff%fe", "/static/%c0%ae%c0%ae/x", SECTION + "%ff", "/@@login/%c0%af"]
BAD_QUERIES = ["q=%ff", "q=%00%ff%fe", "lang=%ff", "token=%ff", "came_from=%ff",
               "q=a%00b", "came_from=/%0d%0aSet-Cookie:%20x=1", "%ff=1"]
VI_TITLE = "Yêu cầu không hợp lệ"
EN_TITLE = "The request could not be understood"


def is_bad_request_page(response, title=VI_TITLE):
    """The 400 answer with the layout (its header) and the plain-language explanation."""
    return (response.status_int == 400 and title in response.text
            and response.html.select_one("header") is not None)


@pytest.fixture(scope="module")
def wsgi(tmp_path_factory, demo_var):
    import shutil

    var = tmp_path_factory.mktemp("malformed") / "var"
    shutil.copytree(demo_var, var)
    with editing(var) as site:
        add_user(site, "bientap")
        set_local_roles(site["xay-dung-dang"]["cong-tac-tuyen-giao"], "user:bientap",
                        ("Editor",))
    app, _clock = clocked_app(var)
    yield app
    app.registry._zodb_databases[""].close()


@pytest.fixture(scope="module")
def editor(wsgi):
    app = TestApp(wsgi)
    sign_in(app, "bientap", PASSWORD)
    return app


@pytest.fixture
def anonymous(wsgi):
    return TestApp(wsgi)


@pytest.mark.parametrize("path", BAD_PATHS)
def test_invalid_bytes_in_the_path(anonymous, path):
    assert is_bad_request_page(anonymous.get(path, status="*"))


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("path", PUBLIC)
def test_malformed_query_values_everywhere(anonymous, path, query):
    response = anonymous.get(f"{path}?{query}", status="*")
    assert response.status_int < 500
    assert is_bad_request_page(response)


@pytest.mark.parametrize("query", ["q=%ff", "came_from=/%0d%0ax"])
def test_an_editor_gets_the_same_page(editor, query):
    for url in (f"{NEWS}@@edit?{query}", f"{NEWS}@@add?type=NewsItem&{query}"):
        assert is_bad_request_page(editor.get(url, status="*"))


def test_the_page_is_in_english_when_english_is_chosen(anonymous):
    anonymous.set_cookie("portal_lang", "en")
    response = anonymous.get("/search?q=%ff", status=400)
    assert is_bad_request_page(response, EN_TITLE)


def csrf(app):
    app.get("/@@login")
    return app.cookies["portal_csrf"]


FORMS = ["/@@login", "/@@forgot-password", "/@@reset-password", "/@@set-language",
         "/search", NEWS + "@@edit", NEWS + "@@add?type=NewsItem"]


@pytest.mark.parametrize("path", FORMS)
def test_a_multipart_post_without_a_boundary(editor, path):
    body = b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"
    # WebTest's post() would add a boundary of its own: the request is built by hand.
    response = editor.request(path, method="POST", body=body, status="*",
                              headers={"Content-Type": "multipart/form-data",
                                       "X-CSRF-Token": csrf(editor)})
    assert is_bad_request_page(response)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("fields", [b"title=a%00b", b"came_from=/%0d%0aSet-Cookie:%20x=1",
                                    b"came_from=/\r\nx", b"a%00=1"])
def test_malformed_form_values(editor, path, fields):
    body = fields + b"&csrf_token=" + csrf(editor).encode()
    response = editor.post(path, body, content_type="application/x-www-form-urlencoded",
                           status="*")
    assert is_bad_request_page(response), body


@pytest.mark.parametrize("path", FORMS)
def test_invalid_utf8_in_a_form_body_is_read_with_replacement_characters(editor, path):
    body = b"q=%ff%fe&title=%ff&csrf_token=" + csrf(editor).encode()
    response = editor.post(path, body, content_type="application/x-www-form-urlencoded",
                           status="*")
    assert response.status_int < 500


def test_an_upload_mapping_without_a_file(editor):
    page = editor.get(NEWS + "@@add?type=NewsItem")
    form = page.forms["manage-form"]
    form["title"] = "Tin thử"
    fields = [(name, value) for name, value in form.submit_fields("save")
              if name != "upload"]
    response = editor.post(form.action, fields, status="*")
    assert response.status_int < 500
    # The mapping still arrives, only its file part is missing: a field error, not a crash.
    response = editor.post(form.action, fields + [("upload", "not-a-file")], status="*")
    assert response.status_int < 500
    # A kept upload's id that names nothing (forged, or expired) is no crash either.
    forged = [(n, "ZZZ" if n == "uid" else v) for n, v in fields]
    assert editor.post(form.action, forged, status="*").status_int < 500


def test_signing_in_with_a_came_from_holding_a_line_break(wsgi):
    app = TestApp(wsgi)
    form = form_to(app.get("/@@login"), "login")
    form["login"], form["password"] = "bientap", PASSWORD
    form["came_from"] = "/\r\nSet-Cookie: x=1"
    response = form.submit(status="*")
    assert response.status_int < 500
    assert "Set-Cookie: x" not in response.headers.get("Location", "")


def test_well_formed_input_is_untouched(anonymous):
    assert anonymous.get("/search?q=%C4%91%E1%BA%A3ng").status_int == 200
    assert anonymous.get(SECTION).status_int == 200


@pytest.mark.parametrize("came_from", ["/\\example.com", "//example.com", "/a\x7fb"])
def test_a_came_from_leading_elsewhere_goes_to_the_home_page(came_from):
    from pyramid.request import Request

    from portal.views.login import _safe_target

    request = Request.blank("/")
    assert _safe_target(request, came_from) == "http://localhost/"
