"""The pages that guard against attacks, in headless Chromium at 375 and 1280 px (S1, S8, E1):
the sharing form with the Manager's own row read-only, the trash with a deleted item, the edit
form that comes back after someone else saved (both versions side by side) and the not-found
page an anonymous visitor gets for the internal area. No horizontal overflow, no WCAG 2.1 A/AA
violation found by axe-core; screenshots go where tests/browser/test_pages.py saves its own."""
import shutil
from datetime import UTC, datetime

import pytest
from webtest import TestApp

from portal.clock import FixedClock, SeededRandom

from ..conftest import add_user, editing, make_app
from ..test_login import enrol, form_to, sign_in
from .conftest import serving
from .test_pages import HEIGHT, check_page

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
AGENCY = "/xay-dung-dang/cong-tac-tuyen-giao/"
NEWS = AGENCY + "tin-hoat-dong/"


@pytest.fixture(scope="module")
def guarded_site(tmp_path_factory, demo_var):
    """(base URL, the Manager's cookies, the URL of an article, the editor's WebTest app)."""
    var = tmp_path_factory.mktemp("manager-browser") / "var"
    shutil.copytree(demo_var, var)
    with editing(var) as site:
        add_user(site, "quantri", "Quản Trị Viên", roles=("Manager",))
        add_user(site, "bientap", "Nguyễn Văn Biên", groups=("ban-tuyen-giao",))
    app = make_app(var)
    # The browser expires cookies by its own clock: the portal's must be near it.
    clock = app.registry.portal_clock = FixedClock(datetime.now(UTC))
    app.registry.portal_random = SeededRandom(5)
    manager, editor = TestApp(app), TestApp(app)
    sign_in(manager, "quantri")
    enrol(manager, clock)
    sign_in(editor, "bientap")
    urls = []
    for title in ("Hội nghị đụng độ hai người sửa", "Bài sẽ bị xóa vào thùng rác"):
        form = editor.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
        form["title"], form["description"] = title, "Tóm tắt ban đầu của bài."
        form["body"] = "<p>Đoạn đầu tiên của bài viết về hội nghị.</p>"
        urls.append(form.submit("save", status=303).headers["Location"])
    form = form_to(manager.get(urls[1].replace("http://localhost", "") + "@@delete"), "delete")
    form.submit(status=303)
    with serving(app) as base:
        yield base, dict(manager.cookies), urls[0].replace("http://localhost", base), editor


def open_as_manager(browser, guarded_site, width):
    base, cookies, _article, _editor = guarded_site
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    context.add_cookies([{"name": name, "value": value, "url": base}
                         for name, value in cookies.items()])
    return context, context.new_page()


def goto(page, url, status=200):
    response = page.goto(url)
    assert response is not None and response.status == status, f"GET {url}: {response.status}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_guarding_pages_at_phone_and_desktop_widths(
        browser, guarded_site, axe_script, screenshot_dir, width):
    base, _cookies, article, editor = guarded_site
    context, page = open_as_manager(browser, guarded_site, width)
    try:
        goto(page, base + AGENCY + "@@sharing?add=user:quantri")
        own = page.locator("tbody tr", has_text="quantri")
        assert own.locator("input[type=checkbox]").first.is_disabled()
        check_page(page, "manager-sharing", width, axe_script, screenshot_dir)

        goto(page, base + "/@@trash")
        assert page.locator("tbody tr", has_text="Bài sẽ bị xóa vào thùng rác").count() == 1
        check_page(page, "manager-trash", width, axe_script, screenshot_dir)

        # The Manager's form was filled in before the editor saved: it comes back, both
        # versions of the summary side by side.
        goto(page, article + "@@edit")
        page.fill("textarea[name=description]", f"Bản tóm tắt của Quản trị viên ({width} px).")
        form = editor.get(article.replace(base, "") + "@@edit").forms["manage-form"]
        form["description"] = f"Bản tóm tắt của biên tập viên ({width} px)."
        form.submit("save", status=303)
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator("button[name=save]").click()
        assert posted.value.status == 409
        page.wait_for_load_state()
        field = page.locator(".conflict-field", has_text="biên tập viên")
        assert field.locator(".conflict-saved").is_visible()
        assert field.locator(".conflict-typed").is_visible()
        assert page.locator("textarea[name=description]").input_value().startswith(
            "Bản tóm tắt của Quản trị viên")
        check_page(page, "manager-edit-conflict", width, axe_script, screenshot_dir)
    finally:
        context.close()

    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    try:
        page = context.new_page()
        goto(page, base + "/noi-bo/", status=404)
        assert page.locator("main a[href*='@@login']").is_visible()
        check_page(page, "anonymous-private-not-found", width, axe_script, screenshot_dir)
    finally:
        context.close()
