"""Editors saving news items with images in one section at once, through real ``portal serve``
processes: on the embedded FileStorage (one process) and on a ZEO server (two processes).
Prints saves per second, failed saves, latency percentiles, and how many acknowledged items
or images could not be read back afterwards (the data-loss check).
"""
import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The live-portal helpers are shared with tests/test_storages.py, in the repository's tests/.
sys.path.insert(0, str(ROOT))

from tests.live_portal import (
    SECTION,
    Editor,
    LivePortal,
    add_editors,
    image_bytes,
    missing,
    portal_command,
    portal_env,
    save_concurrently,
    storage_ini,
)
from tests.storage_servers import ZeoServer

# production.ini as served, but its cookies travel over plain http on loopback.
SETTINGS = {"portal.secure_cookies": "false", "portal.public_url": "http://127.0.0.1"}


def percentile(values, fraction):
    """The ``fraction`` quantile of ``values`` (nearest rank), or 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_load(servers, logins, seconds):
    """Let ``logins`` save for ``seconds`` through ``servers``; returns (saves, elapsed)."""
    stop = threading.Event()
    started = time.perf_counter()
    threads, saves = save_concurrently([server.url for server in servers], logins, stop=stop)
    time.sleep(seconds)  # the measured period itself, not a wait for a condition
    stop.set()
    for thread in threads:
        thread.join()
    return saves, time.perf_counter() - started


def kind_of(failure):
    """A failure message without its item title, so alike failures count together."""
    return failure.split(": ", 1)[-1][:60]


def report(name, saves, elapsed, lost):
    """One line of figures for ``name`` and the kinds of failure below it."""
    latencies = saves.saved_latencies
    print(f"{name:<24} {len(saves.saved) / elapsed:>8.1f} {len(saves.saved):>6} "
          f"{len(saves.failures):>7} {percentile(latencies, 0.5):>8.3f} "
          f"{percentile(latencies, 0.95):>8.3f} {max(latencies, default=0):>8.3f} "
          f"{percentile(saves.latencies, 0.95):>8.3f} {lost:>5}")
    for kind, count in Counter(map(kind_of, saves.failures)).most_common(5):
        print(f"{'':<24} failed {count}x: {kind}")
    sys.stdout.flush()


def bench_storage(name, folder, conf, processes, logins, seconds, extra=None):
    """Create a site on ``conf`` (a file in etc/), serve it with ``processes`` processes of 4
    threads, load it, read every acknowledged item back and print the figures."""
    ini = storage_ini(folder, conf, "production.ini", SETTINGS)

    def env(name):
        return portal_env(folder / name, **(extra or {}))

    portal_command(ini, "init", env=env("process1"))
    add_editors(ini, env("process1"), logins)
    servers = [LivePortal(ini, env(f"process{n}")) for n in range(1, processes + 1)]
    try:
        for number, server in enumerate(servers):
            server.start()
            # One save first, so the timed saves do not include compiling the templates.
            warm = Editor(server.url, logins[0])
            warm.get(warm.add_news(SECTION, f"Tin khởi động {number}", image_bytes(number)))
        saves, elapsed = run_load(servers, logins, seconds)
        lost = len(missing(Editor(servers[-1].url, logins[0]), saves.saved))
    finally:
        for server in servers:
            server.stop()
    report(name, saves, elapsed, lost)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--editors", type=int, default=8)
    parser.add_argument("--storage", choices=("filestorage", "zeo", "all"), default="all")
    parser.add_argument("--keep", action="store_true", help="keep the data folders")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-saves-"))
    logins = [f"bientap{n}" for n in range(1, args.editors + 1)]
    print(f"{args.editors} editors, {args.seconds:g} s per storage, images 320x200 PNG "
          "(original + thumbnail blobs). Latency in seconds: p50, p95 and max of the saves "
          "acknowledged, p95-all of every attempt (failed ones too); lost: acknowledged items "
          "whose page or image did not read back")
    print(f"{'storage':<24} {'saves/s':>8} {'saved':>6} {'failed':>7} {'p50':>8} {'p95':>8} "
          f"{'max':>8} {'p95-all':>8} {'lost':>5}")
    try:
        if args.storage in ("filestorage", "all"):
            bench_storage("FileStorage, 1 process", folder / "filestorage",
                          "filestorage.conf", 1, logins, args.seconds)
        if args.storage in ("zeo", "all"):
            zeo = ZeoServer(folder / "zeo" / "server").start()
            try:
                bench_storage("ZEO, 2 processes", folder / "zeo", "zeo.conf", 2, logins,
                              args.seconds, {"PORTAL_ZEO_SERVER": zeo.address})
            finally:
                zeo.stop()
    finally:
        if args.keep:
            print(f"data kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
