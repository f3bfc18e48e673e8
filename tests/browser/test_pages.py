"""The public pages in headless Chromium: no horizontal overflow on a phone or a desktop, no
WCAG 2.1 A/AA violation found by axe-core, a menu that opens without JavaScript, a skip link
first in the tab order, and articles readable with JavaScript off. Full-page screenshots are
saved to $PORTAL_SCREENSHOTS (default var/screenshots) for a person to look at."""

import pytest

pytestmark = pytest.mark.browser

WIDTHS = (375, 768, 1280)  # phone, tablet, desktop (P3)
HEIGHT = 800
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Visible elements whose right edge passes the viewport, unless an ancestor clips them
# (overflow other than visible) inside the viewport, e.g. a scrolling table.
OFFENDERS_JS = """() => {
  const limit = window.innerWidth + 0.5;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim())
      s += '.' + el.className.trim().split(/\\s+/).join('.');
    return s;
  };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const st = getComputedStyle(a);
      if (st.overflowX !== 'visible' && a.getBoundingClientRect().right <= limit) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= limit) continue;
    if (getComputedStyle(el).visibility === 'hidden' || clipped(el)) continue;
    found.push(el);
  }
  // The innermost offenders (no offending descendant) are the ones that push: list those.
  const innermost = found.filter((el) => !found.some((o) => o !== el && el.contains(o)));
  return innermost.map((el) => {
    const r = el.getBoundingClientRect();
    const path = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) path.unshift(name(e));
    return `${path.slice(-4).join(' > ')} (right ${Math.round(r.right)}px, width ${Math.round(r.width)}px)`;
  });
}"""

# Load lazy images (scroll through the page) so full-page screenshots show them.
LOAD_IMAGES_JS = """async () => {
  const step = Math.max(200, window.innerHeight / 2);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await new Promise((r) => setTimeout(r, 30));
  }
  window.scrollTo(0, 0);
  const pending = Array.from(document.images).filter((img) => !img.complete);
  await Promise.race([
    Promise.all(pending.map((img) => new Promise((r) => { img.onload = img.onerror = r; }))),
    new Promise((r) => setTimeout(r, 5000)),
  ]);
}"""


def open_page(browser, url, width, **options):
    context = browser.new_context(viewport={"width": width, "height": HEIGHT}, **options)
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.ok, f"GET {url}: {response and response.status}"
    return context, page


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}]: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            target = " ".join(" >> ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def check_page(page, name, width, axe_script, screenshot_dir):
    """Overflow and axe checks on the loaded page; the screenshot is saved first."""
    page.evaluate(LOAD_IMAGES_JS)
    page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"), full_page=True)

    problems = []
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"document scrollWidth {scroll_width}px > viewport {inner_width}px")
    offenders = page.evaluate(OFFENDERS_JS)
    if offenders:
        problems.append(
            "elements past the right edge of the viewport:\n  " + "\n  ".join(offenders[:25])
        )

    # Served from the page's own origin, so the site's real Content-Security-Policy
    # (script-src 'self') stays in force while axe runs.
    axe_url = page.url.split("/", 3)[:3]
    axe_url = "/".join(axe_url) + "/__axe.min.js"
    page.route(axe_url, lambda route: route.fulfill(
        path=str(axe_script), content_type="application/javascript"))
    page.add_script_tag(url=axe_url)
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    if results["violations"]:
        problems.append("axe-core violations:\n" + format_violations(results["violations"]))
    assert not problems, f"{name} at {width}px ({page.url}):\n" + "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_home(browser, live_server, axe_script, screenshot_dir, width):
    context, page = open_page(browser, live_server + "/", width)
    try:
        check_page(page, "home", width, axe_script, screenshot_dir)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_article(browser, article_url, axe_script, screenshot_dir, width):
    context, page = open_page(browser, article_url, width)
    try:
        assert page.locator("article.article h1").is_visible()
        check_page(page, "article", width, axe_script, screenshot_dir)
    finally:
        context.close()


def test_phone_menu_opens_without_javascript(browser, live_server, screenshot_dir):
    context, page = open_page(browser, live_server + "/", 375, java_script_enabled=False)
    try:
        menu, toggle = page.locator("#site-menu"), page.locator(".menu-open")
        assert toggle.is_visible(), "the Menu link is not shown at 375px"
        assert not menu.is_visible(), "the main menu is open before the Menu link is used"
        toggle.click()
        assert page.url.endswith("#site-menu")
        assert menu.is_visible(), "#site-menu did not open (:target) after clicking Menu"
        assert menu.locator(".menu > li > a").first.is_visible()
        page.screenshot(path=str(screenshot_dir / "menu-open-375.png"))
        page.locator(".menu-close").click()
        assert not menu.is_visible(), "the Close menu link did not close the menu"
    finally:
        context.close()


def test_desktop_menu_always_shown(browser, live_server):
    context, page = open_page(browser, live_server + "/", 1280)
    try:
        assert page.locator("#site-menu").is_visible()
        assert not page.locator(".menu-open").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_skip_link_is_first_tab_stop(browser, live_server, width):
    context, page = open_page(browser, live_server + "/", width)
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
        )
        assert focused == ["skip-link", "#main"], f"first Tab focused {focused}"
        box = page.locator(".skip-link").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"the focused skip link is not on screen: {box}"
        )
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
    finally:
        context.close()


def test_article_readable_without_javascript(browser, article_url, screenshot_dir):
    context, page = open_page(browser, article_url, 375, java_script_enabled=False)
    try:
        title = page.locator("article.article h1")
        body = page.locator("article.article .body")
        assert title.is_visible() and title.inner_text().strip()
        assert body.is_visible(), "the article body is not visible"
        text = body.inner_text().strip()
        assert len(text) > 200, f"article body too short to be the article: {text!r}"
        size = body.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 16, f"article text is {size}px"
        page.screenshot(path=str(screenshot_dir / "article-nojs-375.png"), full_page=True)
    finally:
        context.close()
