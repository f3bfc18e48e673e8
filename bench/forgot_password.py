"""Timing of ``@@forgot-password`` for an existing account and for an unknown name (issue 12).

The page must not tell accounts apart by its response time. This builds a FileStorage
database with the ``default`` profile and ``--users`` users with an e-mail address, serves
the application in-process (WebTest, the real clock and randomness, mail queued in a Maildir
beside the database as in production) and posts the form alternately for an existing login
and an unknown one, each name and client address used once so that no throttle interferes.
The time is that of the whole POST, commit included. Prints median, p10, p90 and mean of both
paths in milliseconds, and the difference of the medians.
"""
import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from portal.security.principals import User
from portal.testing import build_database, storage_uri


def build(var, users):
    """The database in ``var`` with ``users`` active users having an address."""
    def extend(site, _registry):
        for n in range(users):
            user = User(f"nguoidung{n}", f"Người dùng {n}", f"nguoidung{n}@example.vn")
            # A real hash costs time here only, never in the measured requests.
            user.password_hash = "unused"
            site.users.add(user)
    build_database(var, ["default"], extend=extend)


def application(var):
    """The portal's WSGI application over ``var`` (real clock, real randomness)."""
    from portal import main
    return main({}, **{
        "zodbconn.uri": storage_uri(var),
        "mail.queue_path": str(Path(var) / "mail-queue"),
        "portal.secret": "bench-secret",
        "portal.public_url": "http://localhost",
    })


def summary(times):
    """'median (p10–p90, mean)' of ``times`` in milliseconds."""
    ms = sorted(t * 1000 for t in times)
    deciles = statistics.quantiles(ms, n=10)
    return (f"median {statistics.median(ms):6.2f} ms  (p10 {deciles[0]:6.2f}, "
            f"p90 {deciles[-1]:6.2f}, mean {statistics.fmean(ms):6.2f})")


def measure(app, rounds, warmup):
    """{'existing': [seconds...], 'unknown': [...]} of ``rounds`` alternated posts each."""
    from webtest import TestApp

    times = {"existing": [], "unknown": []}
    for n in range(warmup + rounds):
        for kind in (("existing", "unknown") if n % 2 else ("unknown", "existing")):
            name = f"nguoidung{n}" if kind == "existing" else f"khongco{n}"
            browser = TestApp(app, extra_environ={
                "REMOTE_ADDR": f"10.{n // 250}.{n % 250}.{1 if kind == 'existing' else 2}"})
            page = browser.get("/@@forgot-password")
            form = next(f for f in page.forms.values()
                        if f.action.endswith("@@forgot-password"))
            form["name"] = name
            started = time.perf_counter()
            response = form.submit()
            elapsed = time.perf_counter() - started
            if response.status_int != 303:
                raise SystemExit(f"{kind} {name}: status {response.status}")
            if n >= warmup:
                times[kind].append(elapsed)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200,
                        help="posts measured per path (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="posts per path not measured")
    args = parser.parse_args(argv)
    var = Path(tempfile.mkdtemp(prefix="bench-forgot-")) / "var"
    try:
        build(var, args.rounds + args.warmup)
        app = application(var)
        times = measure(app, args.rounds, args.warmup)
        app.registry._zodb_databases[""].close()
        queued = sum(1 for _ in (var / "mail-queue" / "new").iterdir())
        left = sum(1 for _ in (var / "mail-queue" / "tmp").iterdir())
    finally:
        shutil.rmtree(var.parent, ignore_errors=True)
    print(f"@@forgot-password, {args.rounds} posts per path (FileStorage, Maildir queue)")
    print(f"  existing account: {summary(times['existing'])}")
    print(f"  unknown name:     {summary(times['unknown'])}")
    gap = statistics.median(times["existing"]) - statistics.median(times["unknown"])
    print(f"  difference of the medians: {gap * 1000:+.2f} ms")
    print(f"  messages queued: {queued} (one per existing account), left in tmp/: {left}")


if __name__ == "__main__":
    main()
