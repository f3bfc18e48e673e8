"""Concurrent saves on one section: which persistent classes fail to resolve a conflict (O1).

Builds the demo database in a temporary FileStorage, serves it through the real WSGI
application with ``retry.attempts = 1`` (a conflict is the 409 page at once) and the system clock,
and runs three phases, each with THREADS threads over one shared application:

- ``first sign-ins``: every thread signs in as the same user, none of whom has signed in yet;
- ``sign-ins``: every thread signs in as its own user;
- ``adds``: every thread, signed in as its own editor, adds news items with an image to ONE
  section through ``@@add``.

For each phase it prints the requests that failed and, for the conflicts the storage could
not resolve, the persistent class of the object and how often, marked ``save`` (the save's
own transaction: the request fails) or ``indexing`` (the catalog's transaction just after a
save, retried there: the save has succeeded). ``tryToResolveConflict`` and the index queue's
``apply_notes`` are wrapped here (and only here) to name those classes.

    .venv/bin/python bench/concurrent_hotspots.py [--threads 8] [--items 25]
"""
import argparse
import io
import logging
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import transaction
from PIL import Image
from webtest import TestApp
from ZODB import ConflictResolution
from ZODB.POSException import ConflictError
from ZODB.utils import get_pickle_metadata

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import PASSWORD, settings_for

from portal import main
from portal.catalog import queue as catalog_queue
from portal.content.base import Content
from portal.security.localroles import set_local_roles
from portal.security.principals import User
from portal.testing import build_database, open_db

SECTION = "xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong"
WORDS = ("hội nghị", "học tập", "nghị quyết", "đại hội", "huyện ủy", "cán bộ", "đảng viên",
         "chi bộ", "tuyên giáo", "thành phố", "phát triển", "kinh tế", "xã hội", "nông thôn")

unresolved = Counter()
reasons = {}


class _Reasons(logging.Handler):
    """Keeps the last reason ZODB gave for failing to resolve a conflict on each class."""

    def emit(self, record):
        if record.args and len(record.args) == 3:
            klass, _kind, message = record.args
            reasons[getattr(klass, "__name__", str(klass))] = str(message)[:120]
_lock = threading.Lock()
_original = ConflictResolution.ConflictResolvingStorage.tryToResolveConflict


def _logging_resolver(self, oid, committed_serial, old_serial, newpickle, committedData=b""):
    try:
        return _original(self, oid, committed_serial, old_serial, newpickle, committedData)
    except ConflictError:
        module, name = get_pickle_metadata(newpickle)
        with _lock:
            phase = "indexing" if getattr(_indexing, "active", False) else "save"
            unresolved[(oid, f"{phase}: {module}.{name}")] += 1
        raise


def _label_tree(labels, obj, label, depth=0):
    """Name ``obj`` and the persistent objects inside it (buckets, values, attributes)."""
    oid = getattr(obj, "_p_oid", None)
    if oid is None or oid in labels or depth > 6 or isinstance(obj, Content):
        return
    labels[oid] = label
    if hasattr(obj, "_p_activate"):
        obj._p_activate()
    if hasattr(obj, "__getstate__") and type(obj).__module__.startswith("BTrees"):
        state = obj.__getstate__()
        children = state[0] if isinstance(state, tuple) and state else ()
        for child in children if isinstance(children, tuple) else ():
            if hasattr(child, "_p_oid") and not isinstance(child, Content):
                _label_tree(labels, child, f"{label}[]" if "Bucket" not in
                            type(child).__name__ and "Set" != type(child).__name__[-3:]
                            and "BTree" not in type(child).__name__ else label, depth + 1)
        if hasattr(obj, "values"):
            try:
                for value in obj.values():
                    if hasattr(value, "_p_oid"):
                        _label_tree(labels, value, f"{label}[]", depth + 1)
            except TypeError:
                pass
        return
    for name, value in vars(obj).items():
        if hasattr(value, "_p_oid") and not isinstance(value, Content):
            _label_tree(labels, value, f"{label}.{name}", depth + 1)


def labels_of(db):
    """oid → where the object sits (site.worklist, section._by_date, catalog['effective']...)."""
    conn = db.open()
    conn.sync()
    site = conn.root()["portal"]
    section = site
    for name in SECTION.split("/"):
        section = section[name]
    labels = {}
    for attr in ("_children", "_by_date", "_containers", "_count"):
        _label_tree(labels, getattr(section, attr), f"section.{attr}")
    for name, value in vars(site).items():
        if hasattr(value, "_p_oid") and not isinstance(value, Content):
            if name == "catalog":
                for index_name, index in value.items():
                    _label_tree(labels, index, f"catalog[{index_name!r}]")
            _label_tree(labels, value, f"site.{name}")
    labels[section._p_oid] = "the section itself"
    labels[site._p_oid] = "the site itself"
    conn.close()
    return labels


ConflictResolution.ConflictResolvingStorage.tryToResolveConflict = _logging_resolver

# Conflicts of the indexing transaction that follows each save are retried there and never
# fail a save: they are counted apart from those of the save's own transaction.
_indexing = threading.local()
_apply_notes = catalog_queue.apply_notes


def _marked_apply_notes(*args, **kwargs):
    _indexing.active = True
    try:
        return _apply_notes(*args, **kwargs)
    finally:
        _indexing.active = False


catalog_queue.apply_notes = _marked_apply_notes


def jpeg():
    """A small JPEG upload."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def prepare(var, threads):
    """The demo database with THREADS editors (Author at SECTION) and one shared user."""
    build_database(var, ["default", "demo"])
    db = open_db(var)
    conn = db.open()
    with transaction.manager:
        site = conn.root()["portal"]
        section = site
        for name in SECTION.split("/"):
            section = section[name]
        for login in [f"bientap{n}" for n in range(threads)] + ["chung"]:
            user = User(login, f"Biên tập {login}", f"{login}@example.vn")
            user.set_password(PASSWORD)
            site.users.add(user)
            set_local_roles(section, f"user:{login}", ("Author",))
    conn.close()
    db.close()


def sign_in(browser, login):
    form = next(f for f in browser.get("/@@login").forms.values()
                if f.action.endswith("@@login"))
    form["login"], form["password"] = login, PASSWORD
    return form.submit(expect_errors=True).status_int


def add_item(browser, number, thread, picture):
    form = browser.get(f"/{SECTION}/@@add?type=NewsItem").forms["manage-form"]
    words = " ".join(WORDS[(number * 3 + thread + k) % len(WORDS)] for k in range(4))
    form["title"] = f"Tin {thread}-{number}: {words} lần {number * 31 + thread}"
    form["description"] = f"Bài số {number} của biên tập viên {thread}: {words}."
    form["body"] = f"<p>{words} {thread}x{number} mã{number * 7919 + thread}.</p>"
    form["upload"] = ("anh.jpg", picture, "image/jpeg")
    return form.submit("save", expect_errors=True).status_int


def run_phase(label, threads, work, db):
    """Run ``work(thread)`` (a list of statuses) in THREADS threads; print the figures."""
    unresolved.clear()
    statuses = [None] * threads
    barrier = threading.Barrier(threads)

    def body(thread):
        barrier.wait()
        statuses[thread] = work(thread)

    started = time.perf_counter()
    workers = [threading.Thread(target=body, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    flat = [status for group in statuses for status in group]
    failed = sum(1 for status in flat if status >= 400)
    print(f"{label}: {len(flat)} requests in {seconds:.1f} s, {failed} failed (4xx/5xx: "
          f"{dict(Counter(status for status in flat if status >= 400))}) "
          f"({100 * failed / max(1, len(flat)):.0f}%)")
    labels = labels_of(db)
    named = Counter()
    for (oid, name), count in unresolved.items():
        short = name.rsplit(".", 1)[-1]
        named[f"{name}  ({labels.get(oid, 'elsewhere')}): {reasons.get(short, '')}"] += count
    for name, count in named.most_common():
        print(f"    {count:5d}  {name}")
    return failed


def main_(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--items", type=int, default=25, help="items added by each thread")
    args = parser.parse_args(argv)
    logging.getLogger().setLevel(logging.CRITICAL)  # each 500 would print its traceback
    resolution = logging.getLogger("ZODB.ConflictResolution")
    resolution.setLevel(logging.DEBUG)
    resolution.propagate = False
    resolution.addHandler(_Reasons())
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        prepare(var, args.threads)
        settings = dict(settings_for(var), **{
            "retry.attempts": "1", "portal.upload_tmp_dir": str(Path(tmp) / "uploads")})
        app = main({}, **settings)
        picture = jpeg()
        browsers = [TestApp(app) for _n in range(args.threads)]
        db = app.registry._zodb_databases[""]
        run_phase("first sign-ins of one user", args.threads,
                  lambda n: [sign_in(TestApp(app), "chung")], db)
        run_phase("sign-ins", args.threads, lambda n: [sign_in(browsers[n], f"bientap{n}")], db)
        run_phase("adds", args.threads, lambda n: [add_item(browsers[n], i, n, picture)
                                                  for i in range(args.items)], db)
        db.close()


if __name__ == "__main__":
    main_()
