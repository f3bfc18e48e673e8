"""Browser fixtures: the demo site served by waitress on a free port, and Debian's headless Chromium.

Playwright drives the system Chromium (``/usr/bin/chromium``, Debian's package ``chromium``): no
browser is downloaded, so ``playwright install`` is never needed. When Chromium is missing the
browser tests fail rather than skip.
"""

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

try:  # tests/conftest.py: pytest imports it as ``tests.conftest`` (rootdir on sys.path) ...
    from tests.conftest import make_app
except ImportError:  # ... or as ``conftest`` under other import modes
    from conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, demo_var):
    """Base URL (without a trailing slash) of the demo site served by waitress in a daemon thread."""
    target = tmp_path_factory.mktemp("browser") / "var"
    shutil.copytree(demo_var, target)
    with serving(make_app(target)) as url:
        yield url


@contextmanager
def serving(app):
    """The base URL of ``app`` served by waitress in a daemon thread on a free port; on exit
    the server stops and the app's database closes."""
    from waitress import create_server
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
        app.registry._zodb_databases[""].close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; fails (never skips) when it is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium "
            "(apt-get install chromium fonts-dejavu-core) or run .ci/run",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_script():
    """Path of axe-core's browser build, installed from package-lock.json by ``npm ci``."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} not found: run `npm ci` (or `make test`)", pytrace=False)
    return AXE


@pytest.fixture(scope="session")
def screenshot_dir():
    """Folder for full-page screenshots: $PORTAL_SCREENSHOTS or var/screenshots (gitignored)."""
    path = Path(os.environ.get("PORTAL_SCREENSHOTS") or ROOT / "var" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def article_url(browser, live_server):
    """URL of one demo article: the featured one on the home page, else the first block card."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        for selector in (
            ".featured .featured-title a",
            ".featured a[href]",
            ".block .card-title a",
        ):
            link = page.locator(selector).first
            if link.count():
                href = link.get_attribute("href")
                break
        else:
            pytest.fail("the home page links to no article (featured section or block card)")
    finally:
        context.close()
    return href if href.startswith("http") else live_server + href
