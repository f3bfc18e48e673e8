"""Serve the demo database scaled to N news items and measure three pages with wrk."""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from itertools import cycle
from pathlib import Path

from portal.content.types import NewsItem
from portal.testing import build_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live_portal import storage_ini


def date_folders(folder):
    """The date-ordered sections at or below ``folder``."""
    found = [folder] if folder.order == "date" else []
    for name in folder.container_names():
        found.extend(date_folders(folder[name]))
    return found


def scale_to(count):
    """An ``extend`` hook adding copies of the demo news until the site holds ``count``."""
    def extend(site, registry):
        folders = [f for f in date_folders(site)
                   if any(o.type_name == "NewsItem" for o in f.newest(0, 1))]
        originals = [o for f in folders for o in f.values() if o.type_name == "NewsItem"]
        now = registry.portal_clock.now()
        for i, (folder, original) in enumerate(zip(cycle(folders), cycle(originals))):
            if len(originals) + i >= count:
                break
            copy = NewsItem(f"{original.title} ({i})", original.description, body=original.body,
                            author=original.author, tags=original.tags, image=original.image,
                            image_caption=original.image_caption)
            # Dated before it is added, so that the catalog indexes its publication date.
            copy.set_dates(now, now - timedelta(hours=3 + i))
            folder.add(f"{original.__name__}-{i}", copy, registry=registry)
    return extend


def wrk(url, seconds, connections, threads):
    """Run wrk against ``url``; returns (requests/s, p50 ms, p99 ms, non-2xx count)."""
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                          "--latency", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: _ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, lat["50"], lat["99"], int(errors.group(1)) if errors else 0


def _ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=6590)
    parser.add_argument("--var", help="reuse or create the database here")
    args = parser.parse_args()
    var = Path(args.var or tempfile.mkdtemp(prefix="bench-pages-"))
    if not (var / "Data.fs").exists():
        started = time.perf_counter()
        build_database(var, ["default", "demo"], extend=scale_to(args.items))
        print(f"built {args.items} news items in {time.perf_counter() - started:.1f} s")
    env = dict(os.environ, PORTAL_VAR=str(var), PORTAL_PORT=str(args.port))
    base = f"http://127.0.0.1:{args.port}"
    # production.ini as served, with the public address it refuses to start without.
    ini = storage_ini(var, "filestorage.conf", "production.ini", {"portal.public_url": base})
    server = subprocess.Popen([str(ROOT / ".venv/bin/portal"), "serve", str(ini),
                               "--threads", "4"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/").read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        section = "/tin-tuc-su-kien/trong-tinh/"
        listing = urllib.request.urlopen(base + section).read().decode()
        article = re.search(r'class="item-title"><a href="([^"]+)"', listing).group(1)
        pages = [("home", base + "/"), ("section listing", base + section),
                 ("article", article)]
        for _name, url in pages:  # warm the caches of ZODB and Chameleon
            wrk(url, 2, 4, 1)
        print(f"{'page':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, url in pages:
            rps, p50, p99, errors = wrk(url, args.seconds, 16, 2)
            print(f"{name:<16} {rps:>8.0f} {p50:>8.2f} {p99:>8.2f} {errors:>7}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
