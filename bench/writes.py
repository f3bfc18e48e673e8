"""Time the write path through the management views, and the public article page under
editorial load.

A Manager (WebTest, signed in with the two-step code) creates news items in a new
date-ordered section (POST @@add?type=NewsItem), edits each (POST @@edit), copies that
section and pastes it elsewhere (POST @@paste) and grants a group a role on a folder above a
subtree built beforehand (POST @@sharing). Then ``portal serve`` (production.ini) serves the
same database: wrk measures an anonymous article page on the idle site, then while an Editor
saves a draft every second over HTTP to the same server.

    .venv/bin/python bench/writes.py [--items 1000] [--paste 1000] [--share 5000] [--seconds 10]
        [--rounds 3] [--keep]
"""
import argparse
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from portal.content.types import Folder, NewsItem
from portal.security.principals import User
from portal.testing import build_database

ROOT = Path(__file__).resolve().parents[1]
# The helpers of the other benchmarks and the live-portal ones of tests/live_portal.py.
sys.path.insert(0, str(ROOT))

from bench.contents import PASSWORD, SECRET, signed_in_manager
from bench.pages import wrk
from tests.live_portal import (
    SECTION,
    Editor,
    LivePortal,
    SaveRefused,
    _FormFields,
    _multipart,
    add_editors,
    image_bytes,
    portal_env,
    storage_ini,
)

SHARED = "bench-sharing"
# A group of the default profile: the sharing change grants it Editor on SHARED.
GROUP = "group:ban-tuyen-giao"
PER_FOLDER = 1000
EDITOR = "bientap-bench"
NEWS = "/tin-tuc-su-kien/trong-tinh/"
# production.ini as served, but its cookies travel over plain http on loopback.
SETTINGS = {"portal.secure_cookies": "false", "portal.public_url": "http://127.0.0.1"}


def prepare(share):
    """An ``extend`` hook adding the Manager of bench/contents.py and the folder SHARED
    holding ``share`` news items in subfolders of at most PER_FOLDER items each."""
    def extend(site, registry):
        user = User("quantri", "Quản trị", "quantri@example.vn", roles=("Manager",))
        user.set_password(PASSWORD)
        user.totp_secret = SECRET
        site.users.add(user)
        top = Folder("Thử phân quyền")
        site.add(SHARED, top, registry=registry)
        now = registry.portal_clock.now()
        for start in range(0, share, PER_FOLDER):
            part = Folder(f"Phần {start // PER_FOLDER + 1}")
            part.set_order("date")
            top.add(f"phan-{start // PER_FOLDER + 1}", part, registry=registry)
            for i in range(start, min(share, start + PER_FOLDER)):
                item = NewsItem(f"Tin phân quyền {i}", "Tóm tắt", body="<p>Nội dung.</p>")
                item.set_dates(now, now)
                part.add(f"tin-{i}", item, registry=registry)
    return extend


def csrf_token(page):
    """The CSRF token of the first form of a WebTest ``page``."""
    return page.html.select_one("input[name=csrf_token]")["value"]


def add_folder(app, title, order):
    """Add a section at the site root through @@add; its path."""
    form = app.get("/@@add?type=Folder").forms["manage-form"]
    form["title"], form["order"] = title, order
    return urllib.parse.urlsplit(form.submit(status=303).location).path


class Spent:
    """Wall-clock and CPU seconds (of this process) spent in timed actions, summed: the
    machine is shared, and CPU time shows what waiting for a core added to the wall clock."""

    def __init__(self):
        self.wall = self.cpu = 0.0

    def __call__(self, action, *args, **kwargs):
        """``action(*args, **kwargs)``, its time added."""
        wall, cpu = time.perf_counter(), time.process_time()
        result = action(*args, **kwargs)
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        return result

    def __str__(self):
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


def create_items(app, folder, count):
    """Post the add form ``count`` times; (time spent in the posts, item paths)."""
    form = app.get(folder + "@@add?type=NewsItem").forms["manage-form"]
    spent, paths = Spent(), []
    for i in range(count):
        form["title"], form["body"] = f"Tin viết thử số {i}", f"<p>Nội dung tin {i}.</p>"
        answer = spent(form.submit, status=303)
        paths.append(urllib.parse.urlsplit(answer.location).path)
    return spent, paths


def edit_items(app, paths):
    """Open each item's edit form and post it changed; the time spent in the posts."""
    spent = Spent()
    for path in paths:
        form = app.get(path.rstrip("/") + "/@@edit").forms["manage-form"]
        form["body"] = "<p>Nội dung đã sửa.</p>"
        spent(form.submit, status=303)
    return spent


def paste_copy(app, folder, target):
    """Copy ``folder`` (a child of the site root) and paste it into ``target``; the time the
    paste took."""
    token = csrf_token(app.get("/@@contents"))
    app.post("/@@contents", {"action": "copy", "names": folder.strip("/"),
                             "csrf_token": token}, status=303)
    spent = Spent()
    answer = spent(app.post, target + "@@paste", {"csrf_token": token}, status=303)
    assert "done=pasted" in answer.location, answer.location
    return spent


def share(app, folder):
    """Grant GROUP the Editor role on ``folder``; the time the post took."""
    token = csrf_token(app.get(folder + "@@sharing"))
    fields = {"csrf_token": token, "principal": GROUP, f"roles:{GROUP}": "Editor"}
    spent = Spent()
    answer = spent(app.post, folder + "@@sharing", fields, status=303)
    assert "saved=1" in answer.location, answer.location
    return spent


def save_draft(editor, path, number):
    """Open the draft's edit form and save it with a new body (one draft save)."""
    status, page = editor.get(path.rstrip("/") + "/@@edit")
    if status != 200:
        raise SaveRefused(f"the edit form answered {status}")
    parser = _FormFields("manage-form")
    parser.feed(page.decode())
    fields = [(name, ("", b"", "application/octet-stream") if value is None
               else f"<p>Bản nháp lần {number}.</p>" if name == "body" else value)
              for name, value in parser.fields]
    data, content_type = _multipart(fields + [("save", "save")])
    status, _headers, answer = editor.request(path.rstrip("/") + "/@@edit", data, content_type)
    if status != 303:
        raise SaveRefused(f"the save answered {status}: {answer[:200]!r}")


def draft_saver(editor, path, stop, outcome):
    """Save the draft at ``path`` once a second until ``stop`` is set; counts go in
    ``outcome`` (saved, failed)."""
    number = 0
    while not stop.is_set():
        started = time.monotonic()
        number += 1
        try:
            save_draft(editor, path, number)
            outcome["saved"] += 1
        except (OSError, SaveRefused):
            outcome["failed"] += 1
        stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))  # the pace, once a second


def bench_pages(var, seconds, rounds):
    """Serve ``var`` and print the article page's figures idle and under draft saves,
    ``rounds`` times each."""
    ini = storage_ini(var, "filestorage.conf", "production.ini", SETTINGS)
    env = portal_env(var)
    add_editors(ini, env, [EDITOR])
    with LivePortal(ini, env) as server:
        anonymous = urllib.request.urlopen(server.url + NEWS).read().decode()
        article = re.search(r'class="item-title"><a href="([^"]+)"', anonymous).group(1)
        article = server.url + urllib.parse.urlsplit(article).path
        editor = Editor(server.url, EDITOR)
        draft = urllib.parse.urlsplit(
            editor.add_news(SECTION, "Bản nháp thử tải", image_bytes(7))).path
        save_draft(editor, draft, 0)  # compiles the edit form's templates before timing
        wrk(article, 2, 4, 1)  # warms the caches of ZODB and Chameleon
        print(f"{'article page':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        idle, busy = [], []
        for _ in range(rounds):  # alternated, so that a noisy moment does not fall on one side
            idle.append(wrk(article, seconds, 16, 2))
            show("idle site", idle[-1])
            stop, outcome = threading.Event(), {"saved": 0, "failed": 0}
            saver = threading.Thread(target=draft_saver, args=(editor, draft, stop, outcome))
            saver.start()
            try:
                busy.append(wrk(article, seconds, 16, 2))
            finally:
                stop.set()
                saver.join()
            show("a draft saved every second", busy[-1],
                 f"   ({outcome['saved']} saves, {outcome['failed']} failed)")
        quiet, loaded = (statistics.median(run[0] for run in runs) for runs in (idle, busy))
        print(f"median req/s: idle {quiet:.0f}, a draft saved every second {loaded:.0f} "
              f"({loaded / quiet - 1:+.1%})")


def show(name, figures, note=""):
    """One line of wrk figures: req/s, p50 and p99 ms, non-2xx answers."""
    rps, p50, p99, errors = figures
    print(f"{name:<28} {rps:>8.0f} {p50:>8.2f} {p99:>8.2f} {errors:>7}{note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000, help="news items created, edited")
    parser.add_argument("--paste", type=int, default=1000, help="items in the pasted folder")
    parser.add_argument("--share", type=int, default=5000, help="items below the shared folder")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs idle and loaded")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    try:
        built = Spent()
        built(build_database, var, ["default", "demo"], extend=prepare(args.share))
        print(f"built the demo site and {args.share} items to share in {built}")
        app = signed_in_manager(var)
        section = add_folder(app, "Tin viết thử", "date")
        spent, paths = create_items(app, section, args.items)
        print(f"create {args.items} news items (POST @@add): {spent}, "
              f"{spent.wall / args.items * 1000:.0f} ms each")
        spent = edit_items(app, paths)
        print(f"edit {args.items} news items (POST @@edit): {spent}, "
              f"{spent.wall / args.items * 1000:.0f} ms each")
        pasted = section
        if args.paste != args.items:
            pasted = add_folder(app, "Tin để dán", "date")
            create_items(app, pasted, args.paste)
        target = add_folder(app, "Nơi dán", "manual")
        print(f"paste a folder of {args.paste} items (POST @@paste): "
              f"{paste_copy(app, pasted, target)}")
        print(f"share a folder above {args.share} items (POST @@sharing): "
              f"{share(app, '/' + SHARED + '/')}")
        app.app.registry._zodb_databases[""].close()
        bench_pages(var, args.seconds, args.rounds)
    finally:
        if args.keep:
            print(f"data kept in {var}")
        else:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
