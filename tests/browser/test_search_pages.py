"""Searching in headless Chromium at 375 and 1280 px (issue 6: P5, P3): the search box in every
page's header, the search page with results, a range of dates and facets (the document facets
included), and suggestions as one types with the ARIA combobox pattern (arrow keys, Enter,
Escape, a click). No horizontal overflow, no WCAG 2.1 A/AA violation found by axe-core (also
with the suggestions open), focus visible, and searching works with JavaScript off.
Full-page screenshots go where tests/browser/test_pages.py saves its own."""
import shutil
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from ..conftest import clocked_app, editing
from ..test_search import PROVINCE, describe_documents
from .conftest import serving
from .test_pages import check_page, open_page
from .test_workflow_pages import assert_focus_visible, assert_inside_viewport

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
NEWS = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"


@pytest.fixture(scope="module")
def search_site(tmp_path_factory, demo_var):
    """Base URL of the demo site with kinds and issuing bodies on some documents, its clock at
    the tests' fixed time (the demo's items are all out by then)."""

    var = tmp_path_factory.mktemp("search-browser") / "var"
    shutil.copytree(demo_var, var)
    with editing(var) as site:
        describe_documents(site)
    app, _clock = clocked_app(var)
    with serving(app) as url:
        yield url


def search_url(base, **params):
    return f"{base}/search?{urlencode(params)}"


def assert_header_box(page, width):
    """The header's search box: named, visible, inside the viewport, with its button."""
    box = page.get_by_role("combobox", name="Tìm kiếm", exact=True)
    assert box.is_visible() and box.get_attribute("id") == "site-search-q"
    button = page.locator("#site-search button[type=submit]")
    assert button.is_visible() and button.inner_text().strip() == "Tìm"
    assert_inside_viewport(page, "#site-search, #site-search input, #site-search button")
    field, submit = box.bounding_box(), button.bounding_box()
    assert field["width"] >= (200 if width < 960 else 220), f"the box is squeezed: {field}"
    assert abs(field["y"] - submit["y"]) < 4, "the button is not beside the box"
    assert_focus_visible(page, "#site-search-q")
    assert_focus_visible(page, "#site-search button")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_header_box_on_an_ordinary_page(browser, search_site, axe_script, screenshot_dir,
                                            width):
    context, page = open_page(browser, search_site + NEWS, width)
    try:
        assert_header_box(page, width)
        assert page.locator("#site-search-q").input_value() == ""
        check_page(page, "search-header", width, axe_script, screenshot_dir)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_page_with_results_dates_and_facets(browser, search_site, axe_script,
                                                       screenshot_dir, width):
    url = search_url(search_site, q="chi thi", **{"from": "2025-06-01", "to": "2026-11-30"})
    context, page = open_page(browser, url, width)
    try:
        assert_header_box(page, width)
        assert page.locator("#site-search-q").input_value() == "chi thi"
        assert page.locator("#search-q").input_value() == "chi thi"
        assert page.locator("#search-from").input_value() == "2025-06-01"
        assert page.locator("#search-to").input_value() == "2026-11-30"
        assert page.get_by_label("Từ ngày").is_visible()
        assert page.locator(".search-results .item").count() == 20
        for name in ("type", "kind", "issuer", "section", "year"):
            assert page.locator(f"#facet-{name} li").count() >= 1, f"no {name} facet"
        assert_inside_viewport(page, ".search-form input, .search-form button, .facets a")
        from_box, to_box = (page.locator(s).bounding_box() for s in ("#search-from", "#search-to"))
        assert abs(from_box["y"] - to_box["y"]) < 4, "the two dates are not side by side"
        if width < 960:   # results before the filters on a phone
            assert (page.locator(".search-results").bounding_box()["y"]
                    < page.locator(".facets").bounding_box()["y"])
        assert_focus_visible(page, "#search-from")
        assert_focus_visible(page, ".facets a")
        check_page(page, "search-results", width, axe_script, screenshot_dir)

        # Choosing a kind keeps the dates; the chosen one is marked, with a way to remove it.
        page.locator("#facet-kind a").first.click()
        page.wait_for_load_state()
        query = parse_qs(urlsplit(page.url).query)
        assert query["from"] == ["2025-06-01"] and "kind" in query
        assert page.locator("#facet-kind [aria-current]").is_visible()
        check_page(page, "search-kind", width, axe_script, screenshot_dir)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_page_says_what_was_ignored(browser, search_site, axe_script, screenshot_dir,
                                               width):
    url = search_url(search_site, q="nghi quyet", issuer=PROVINCE,
                     **{"from": "2026-06-30", "to": "2026-01-01", "kind": "Không có"})
    context, page = open_page(browser, url, width)
    try:
        assert page.locator("#ignored-range").is_visible()
        assert page.locator("#ignored-filter").is_visible()
        assert page.locator("#facet-issuer [aria-current]").is_visible()
        check_page(page, "search-ignored", width, axe_script, screenshot_dir)
    finally:
        context.close()


def open_suggestions(page, selector, typed):
    box = page.locator(selector)
    box.fill("")
    box.press_sequentially(typed, delay=40)
    listbox = page.locator(f"{selector}-suggestions")
    listbox.locator("[role=option]").first.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    assert listbox.get_attribute("role") == "listbox"
    return box, listbox


@pytest.mark.parametrize("width", WIDTHS)
def test_suggestions_as_one_types(browser, search_site, axe_script, screenshot_dir, width):
    context, page = open_page(browser, search_site + NEWS, width)
    try:
        box, listbox = open_suggestions(page, "#site-search-q", "nghi q")
        options = listbox.locator("[role=option]")
        words = options.all_inner_texts()
        assert "nghi quyet" in words
        assert all(word.startswith("nghi q") for word in words)
        status = page.locator("#site-search .suggest-field [role=status]")
        assert str(len(words)) in status.inner_text() or (len(words) == 1 and status.inner_text())
        assert_inside_viewport(page, "#site-search-q-suggestions")
        # The list shows over the page, above the menu, and axe finds the combobox sound.
        page.screenshot(path=str(screenshot_dir / f"search-suggestions-{width}.png"))
        check_page(page, "search-suggestions-open", width, axe_script, screenshot_dir)

        # Arrow down makes the first option active; Enter puts it in the box and closes.
        box.focus()
        if not listbox.is_visible():
            box.press("ArrowDown")
            box.press("ArrowUp")
        box.press("ArrowDown")
        first = options.first
        assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
        assert first.get_attribute("aria-selected") == "true"
        page.screenshot(path=str(screenshot_dir / f"search-suggestion-active-{width}.png"))
        box.press("ArrowDown")
        box.press("ArrowUp")
        assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
        box.press("Enter")
        assert box.input_value() == words[0]
        assert not listbox.is_visible() and box.get_attribute("aria-expanded") == "false"
        assert box.get_attribute("aria-activedescendant") is None
        assert "/search" not in page.url                      # picked, not yet searched
        # A second Enter searches for what is in the box.
        with page.expect_navigation():
            box.press("Enter")
        assert urlsplit(page.url).path == "/search"
        assert parse_qs(urlsplit(page.url).query)["q"] == [words[0]]
        assert page.locator(".search-results .item").count() > 0

        # Escape closes the list and keeps what was typed.
        box, listbox = open_suggestions(page, "#site-search-q", "hoi ngh")
        box.press("Escape")
        assert not listbox.is_visible() and box.get_attribute("aria-expanded") == "false"
        assert box.input_value() == "hoi ngh"

        # A click on an option picks it; the box keeps the focus.
        box, listbox = open_suggestions(page, "#site-search-q", "nghi q")
        option = listbox.locator("[role=option]").nth(min(1, listbox.locator("li").count() - 1))
        picked = option.inner_text()
        option.click()
        assert box.input_value() == picked and not listbox.is_visible()
        assert page.evaluate("document.activeElement.id") == "site-search-q"

        # The search page's own box suggests too.
        box, listbox = open_suggestions(page, "#search-q", "dai h")
        assert listbox.locator("[role=option]").count() >= 1
        box.press("Tab")
        assert not listbox.is_visible()
    finally:
        context.close()


def test_suggestions_are_inserted_as_text(browser, search_site):
    """Whatever the server answers, an option shows it as typed, never as markup."""
    context, page = open_page(browser, search_site + "/", 375)
    try:
        page.route("**/search-suggest?**", lambda route: route.fulfill(
            content_type="application/json",
            body='["<img src=x onerror=\\"window.hacked=1\\">", "<b>dam</b>", 7]'))
        _box, listbox = open_suggestions(page, "#site-search-q", "ab")
        assert listbox.locator("[role=option]").all_inner_texts() == [
            '<img src=x onerror="window.hacked=1">', "<b>dam</b>"]
        assert listbox.locator("img, b").count() == 0
        assert page.evaluate("window.hacked") is None
    finally:
        context.close()


def test_searching_works_without_javascript(browser, search_site, screenshot_dir):
    context, page = open_page(browser, search_site + NEWS, 375, java_script_enabled=False)
    try:
        box = page.get_by_role("searchbox", name="Tìm kiếm", exact=True)
        assert box.get_attribute("role") is None                  # a plain search field
        box.fill("nghi quyet dai hoi")
        with page.expect_navigation():
            box.press("Enter")
        assert page.locator(".search-results .item").count() > 0
        page.locator("#search-from").fill("2026-01-01")
        with page.expect_navigation():
            page.locator(".search-dates button").click()
        assert parse_qs(urlsplit(page.url).query)["from"] == ["2026-01-01"]
        page.screenshot(path=str(screenshot_dir / "search-nojs-375.png"), full_page=True)
    finally:
        context.close()
