"""The workflow pages in headless Chromium at 375 and 1280 px (E2, P3): the author's article with
the toolbar's state and transition form, the @@transition page showing a refusal, the reviewer's
@@review-queue and the author's @@dashboard with an item sent back and its comment. No
horizontal overflow, no WCAG 2.1 A/AA violation found by axe-core, the state said in words, the
buttons wrapping on a phone, the worklists scrolling inside their labelled region, and focus
visible. Full-page screenshots go where tests/browser/test_pages.py saves its own."""
import shutil
from datetime import UTC, datetime

import pytest
from webtest import TestApp

from portal.clock import FixedClock, SeededRandom
from portal.security.localroles import set_local_roles

from ..conftest import add_user, editing, make_app
from ..test_login import enrol, form_to, sign_in
from .conftest import serving
from .test_pages import HEIGHT, check_page

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
NEWS = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"
SENT_BACK = "Hội nghị sơ kết công tác tuyên giáo sáu tháng đầu năm tại huyện Phú Lương"
WAITING = "Tập huấn nghiệp vụ báo cáo viên cấp cơ sở năm 2026"
COMMENT = ("Bổ sung ảnh hội nghị, ghi rõ nguồn tin và tên đầy đủ của các đồng chí phát biểu; "
           "kiểm tra lại số liệu ở đoạn thứ hai trước khi gửi lại.")


def write(browser, title):
    form = browser.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
    form["title"] = title
    form["description"] = "Cán bộ chủ chốt học tập, quán triệt Nghị quyết."
    form["body"] = "<p>Sáng nay, hội nghị đã diễn ra tại hội trường Huyện ủy.</p>"
    return form.submit("save", status=303).headers["Location"]


def change(browser, url, transition, comment=""):
    form = form_to(browser.get(url), "transition")
    form["comment"] = comment
    form.submit("transition", value=transition, status=303)


@pytest.fixture(scope="module")
def workflow_site(tmp_path_factory, demo_var):
    """(base URL, {login: cookies}, {name: URL}) of a site where an agency's author has one item
    sent back with a comment and one waiting for the agency's reviewer."""
    var = tmp_path_factory.mktemp("workflow-browser") / "var"
    shutil.copytree(demo_var, var)
    with editing(var) as site:
        agency = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        add_user(site, "tacgia", "Trần Văn Tác")
        add_user(site, "duyet", "Lê Thị Duyệt")
        set_local_roles(agency, "user:tacgia", ("Author",))
        set_local_roles(agency, "user:duyet", ("Reviewer",))
    app = make_app(var)
    # The browser expires cookies by its own clock: the portal's must be near it.
    clock = app.registry.portal_clock = FixedClock(datetime.now(UTC))
    app.registry.portal_random = SeededRandom(11)
    author, reviewer = TestApp(app), TestApp(app)
    sign_in(author, "tacgia")
    sign_in(reviewer, "duyet")
    enrol(reviewer, clock)  # a reviewer signs in with two steps
    sent_back = write(author, SENT_BACK)
    waiting = write(author, WAITING)
    change(author, sent_back, "submit")
    change(reviewer, sent_back, "reject", COMMENT)
    change(author, waiting, "submit")

    with serving(app) as base:
        yield base, {"tacgia": dict(author.cookies), "duyet": dict(reviewer.cookies)}, {
            "sent_back": sent_back.replace("http://localhost", base),
            "waiting": waiting.replace("http://localhost", base)}


def open_as(browser, workflow_site, login, width):
    """A new browser context of ``width`` px signed in as ``login`` (its WebTest cookies)."""
    base, cookies, _urls = workflow_site
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    context.add_cookies([{"name": name, "value": value, "url": base}
                         for name, value in cookies[login].items()])
    return context, context.new_page()


def goto(page, url, status=200):
    response = page.goto(url)
    assert response is not None and response.status == status, f"GET {url}: {response.status}"


def assert_focus_visible(page, selector):
    """Keyboard focus on ``selector`` draws an outline of at least 2px."""
    element = page.locator(selector).first
    element.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    style = element.evaluate(
        "(el) => { const s = getComputedStyle(el); return [document.activeElement === el, "
        "s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert style[0], f"{selector} did not take keyboard focus"
    assert style[1] != "none" and style[2] >= 2, f"focus on {selector} is not visible: {style}"


def assert_inside_viewport(page, selector):
    """Every ``selector`` element is at least partly visible and ends inside the viewport."""
    width = page.evaluate("window.innerWidth")
    for box in page.locator(selector).evaluate_all(
            "(els) => els.map((el) => { const r = el.getBoundingClientRect();"
            " return [el.outerHTML.slice(0, 80), r.left, r.right]; })"):
        assert box[1] >= 0 and box[2] <= width + 0.5, f"{box[0]} runs past {width}px: {box}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_workflow_pages_at_phone_and_desktop_widths(
        browser, workflow_site, axe_script, screenshot_dir, width):
    base, _cookies, urls = workflow_site

    # The author's article: the state in words, a comment field and buttons that fit.
    context, page = open_as(browser, workflow_site, "tacgia", width)
    try:
        goto(page, urls["sent_back"])
        state = page.locator(".toolbar-state .state")
        assert state.inner_text() == "Bản nháp"
        assert page.locator(".toolbar-state button[name=transition]").count() >= 1
        assert page.locator("label[for=toolbar-comment]").is_visible()
        assert_inside_viewport(page, ".toolbar-state textarea, .toolbar-state button")
        assert_focus_visible(page, "#toolbar-comment")
        assert_focus_visible(page, ".toolbar-state button[name=transition]")
        check_page(page, "workflow-article", width, axe_script, screenshot_dir)

        # The dashboard: the item sent back comes first, with the reviewer's comment.
        goto(page, base + "/@@dashboard")
        rejected = page.locator("#dashboard-rejected")
        assert SENT_BACK in rejected.inner_text() and COMMENT in rejected.inner_text()
        assert WAITING in page.locator("#dashboard-review").inner_text()
        assert page.locator("#dashboard-drafts .empty").is_visible()
        comment = rejected.locator(".comment")
        assert comment.is_visible()
        box = comment.bounding_box()
        assert box["width"] >= min(250, width * 0.6), f"the comment is squeezed: {box}"
        assert_inside_viewport(page, ".worklist .comment")
        assert_focus_visible(page, "#dashboard-rejected .worklist a")
        check_page(page, "workflow-dashboard", width, axe_script, screenshot_dir)
    finally:
        context.close()

    # The reviewer's queue: one row, its Review link leads to the change form.
    context, page = open_as(browser, workflow_site, "duyet", width)
    try:
        goto(page, base + "/@@review-queue")
        rows = page.locator(".worklist tbody tr")
        assert rows.count() == 1 and WAITING in rows.first.inner_text()
        region = page.locator(".table-scroll[role=region]")
        assert region.get_attribute("aria-label")
        assert_focus_visible(page, ".worklist a.button")
        check_page(page, "workflow-review-queue", width, axe_script, screenshot_dir)

        # Rejecting without a comment is refused: the error is shown and tied to the field.
        page.locator(".worklist a.button").click()
        page.wait_for_url("**/@@transition?**")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator(".manage-page button[name=transition][value=reject]").click()
        assert posted.value.status == 400
        page.wait_for_load_state()
        error = page.locator("#transition-error")
        assert error.is_visible() and error.get_attribute("role") == "alert"
        field = page.locator("#transition-comment")
        assert "transition-error" in field.get_attribute("aria-describedby")
        assert field.get_attribute("aria-invalid") == "true"
        assert page.locator(".manage-page .state").inner_text() == "Chờ cơ quan duyệt"
        assert not page.locator(".toolbar-state").count()  # one comment field, not two
        assert_inside_viewport(page, ".manage-page textarea, .manage-page .form-buttons > *")
        assert_focus_visible(page, "#transition-comment")
        check_page(page, "workflow-transition-error", width, axe_script, screenshot_dir)
    finally:
        context.close()
