"""A folder's default page through WebTest (S8, E3): the folder's URL shows the page only to
those who may view it; everyone else gets the folder's listing."""
import pytest
from webtest import TestApp

from .conftest import add_user, clocked_app, editing
from .test_login import enrol, form_to, sign_in

FOLDER = "/gioi-thieu/co-cau-to-chuc/thuong-truc-tinh-uy/"
PAGE = FOLDER + "gioi-thieu/"
TITLE = "Thường trực Tỉnh ủy khóa XXI, nhiệm kỳ 2025 - 2030"
DRAFT = "Bản nháp chưa duyệt của trang giới thiệu"


@pytest.fixture
def portal(demo_copy):
    """(anonymous, member, manager) browsers over a private copy of the demo site."""
    with editing(demo_copy) as site:
        add_user(site, "thanhvien")
        add_user(site, "quantri", roles=("Manager",))
    app, clock = clocked_app(demo_copy)
    member, manager = TestApp(app), TestApp(app)
    sign_in(member, "thanhvien")
    sign_in(manager, "quantri")
    enrol(manager, clock)
    yield TestApp(app), member, manager
    app.registry._zodb_databases[""].close()


def heading(page):
    return page.html.select_one("main h1").text.strip()


def retract(manager):
    form = form_to(manager.get(PAGE), "transition")
    form["comment"] = "Cần cập nhật danh sách."
    form.submit("transition", value="retract", status=303)


def test_the_published_default_page_is_the_folders_page(portal):
    anonymous, _member, _manager = portal
    page = anonymous.get(FOLDER)
    assert TITLE not in heading(page) and page.html.select_one("article.document .body")


def test_a_retracted_default_page_gives_the_public_the_folders_listing(portal):
    anonymous, member, manager = portal
    body = manager.get(PAGE).html.select_one(".body").get_text(" ", strip=True)[:60]
    retract(manager)
    anonymous.get(PAGE, status=404)
    for browser in (anonymous, member):
        page = browser.get(FOLDER)
        assert body not in page.text
        assert page.html.select_one("article.document .body") is None
        assert TITLE not in page.text
    # Those who may view the retracted page still see it there.
    assert body in manager.get(FOLDER).text


def test_a_draft_under_the_default_pages_id_is_not_shown_to_the_public(portal):
    anonymous, member, manager = portal
    form_to(manager.get(PAGE + "@@delete"), "delete").submit(status=303)
    form = manager.get(FOLDER + "@@add?type=Page").forms["manage-form"]
    form["title"] = "Giới thiệu"
    form["body"] = f"<p>{DRAFT}</p>"
    form.submit("save", status=303)
    assert DRAFT in manager.get(PAGE).text  # the draft took the default page's id
    anonymous.get(PAGE, status=404)
    for browser in (anonymous, member):
        page = browser.get(FOLDER)
        assert DRAFT not in page.text
        assert page.html.select_one("article.document .body") is None
    assert DRAFT in manager.get(FOLDER).text
