"""Time a big section's contents table for a Manager: the first and the last page.

Up to 2,000 children the table checks each child for the visitor (so that the pager counts
only what it shows); above that it takes the count from the catalog and reads only as far as
the page asked. This prints the median time of both pages on each side of that limit.

    .venv/bin/python bench/contents.py [--sizes 1900 2100] [--repeat 5]
"""
import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pyotp
from webtest import TestApp

from portal import main
from portal.content.types import NewsItem
from portal.security.principals import User
from portal.testing import build_database, storage_uri

SECTION = "/tin-tuc-su-kien/trong-tinh/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "Mat-khau-bench-2026"


def fill_section(count):
    """An ``extend`` hook giving the section ``count`` more news items and a Manager."""
    def extend(site, registry):
        folder = site
        for name in SECTION.strip("/").split("/"):
            folder = folder[name]
        now = registry.portal_clock.now()
        for i in range(count):
            item = NewsItem(f"Tin thử số {i}", "Tóm tắt", body="<p>Nội dung.</p>")
            item.set_dates(now, now - timedelta(minutes=i))
            folder.add(f"tin-thu-{i}", item, registry=registry)
        user = User("quantri", "Quản trị", "quantri@example.vn", roles=("Manager",))
        user.set_password(PASSWORD)
        user.totp_secret = SECRET
        site.users.add(user)
    return extend


def signed_in_manager(var):
    app = TestApp(main({}, **{
        "zodbconn.uri": storage_uri(var), "portal.secret": "bench", "portal.profiles": "",
        "portal.public_url": "http://localhost", "mail.queue_path": str(var / "mail")}))
    form = app.get("/@@login").forms["login-form"]
    form["login"], form["password"] = "quantri", PASSWORD
    page = form.submit().follow()
    code = next(f for f in page.forms.values() if f.action.endswith("@@login-code"))
    code["code"] = pyotp.TOTP(SECRET).now()
    code.submit(status=303)
    return app


def median_ms(app, url, repeat):
    app.get(url)  # warm the object cache and the templates
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        app.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1900, 2100])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'children':>9} {'first page ms':>14} {'last page ms':>13}")
    for size in args.sizes:
        var = Path(tempfile.mkdtemp(prefix="bench-contents-"))
        build_database(var, ["default", "demo"], extend=fill_section(size))
        app = signed_in_manager(var)
        table = app.get(SECTION + "@@contents")
        last = table.html.select_one("#contents-caption").text.split()[-1].rstrip(".")
        first = median_ms(app, SECTION + "@@contents", args.repeat)
        final = median_ms(app, f"{SECTION}@@contents?page={last}", args.repeat)
        children = len(table.html.select("tbody tr"))
        print(f"{size:>9} {first:>14.1f} {final:>13.1f}   ({children} rows on page 1)")
        app.app.registry._zodb_databases[""].close()


if __name__ == "__main__":
    run()
