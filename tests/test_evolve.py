"""Evolve steps: applied once, in order, to databases made before them; never to new sites;
processes starting together on one database apply each step once; the generation moves from
where older releases kept it to the ZODB root."""
import sys

import pytest
import transaction

import portal.evolve
from portal.evolve import evolve, generation_of, newest
from portal.startup import bootstrap, ensure_site
from portal.testing import FIXED_NOW, make_registry, open_db

STEP = '''"""Give the site a {name}."""
import {package} as record


def evolve(site, registry):
    record.CALLS.append("{name}")
    hook = record.HOOKS.pop("{name}", None)
    if hook is not None:
        hook()
    site.{name} = len(record.CALLS)
'''


@pytest.fixture
def steps(tmp_path, monkeypatch):
    """Two evolve steps (7 and 12) in a folder standing for the package's own."""
    folder = tmp_path / "steps"
    folder.mkdir()
    for number, name in ((12, "second"), (7, "first")):
        (folder / f"step{number:03d}_{name}.py").write_text(
            STEP.format(name=name, package=__name__))
    monkeypatch.setattr(portal.evolve, "__path__", [str(folder)])
    CALLS.clear()
    HOOKS.clear()
    yield
    for module in [m for m in sys.modules if m.startswith("portal.evolve.step")]:
        del sys.modules[module]


CALLS = []
HOOKS = {}


def old_site(var, recorded=0):
    """A database as the releases before the root's record left it: the generation
    ``recorded`` on the site (None: a site older than that record too)."""
    db = open_db(var)
    conn = db.open()
    with transaction.manager:
        root = conn.root()
        site = ensure_site(root, FIXED_NOW)
        del root["portal.generation"]
        if recorded is not None:
            site.evolve_version = recorded
    return db, conn


def generation(conn):
    """(the generation, the site's old record or None, the root's record or None)."""
    conn.transaction_manager.begin()
    root = conn.root()
    return (generation_of(root), getattr(root["portal"], "evolve_version", None),
            root.get("portal.generation"))


def test_a_new_site_starts_at_the_newest_step(steps, tmp_path):
    assert newest() == 12
    db = open_db(tmp_path / "var")
    conn = db.open()
    with transaction.manager:
        ensure_site(conn.root(), FIXED_NOW)
    assert generation(conn) == (12, None, 12)
    assert evolve(conn, make_registry()) == [] and CALLS == []
    db.close()


def test_an_old_site_gets_each_step_once_in_order(steps, tmp_path):
    db, conn = old_site(tmp_path / "var")
    told = []
    assert evolve(conn, make_registry(), progress=lambda *done: told.append(done)) == [7, 12]
    assert told == [(0, 2), (1, 2), (2, 2)]
    site = conn.root()["portal"]
    assert (site.first, site.second) == (1, 2)
    assert generation(conn) == (12, None, 12)
    assert evolve(conn, make_registry()) == [] and CALLS == ["first", "second"]
    db.close()


def test_the_generation_an_older_release_recorded_on_the_site_is_kept(steps, tmp_path):
    db, conn = old_site(tmp_path / "var", recorded=7)
    assert generation(conn) == (7, 7, None)
    assert evolve(conn, make_registry()) == [12] and CALLS == ["second"]
    assert generation(conn) == (12, None, 12)
    db.close()


def test_an_up_to_date_record_on_the_site_moves_to_the_root(steps, tmp_path):
    db, conn = old_site(tmp_path / "var", recorded=12)
    last = db.lastTransaction()
    assert evolve(conn, make_registry()) == [] and CALLS == []
    assert generation(conn) == (12, None, 12) and db.lastTransaction() != last
    last = db.lastTransaction()
    assert evolve(conn, make_registry()) == [] and db.lastTransaction() == last
    db.close()


def test_a_site_older_than_any_record_is_at_generation_0(steps, tmp_path):
    db, conn = old_site(tmp_path / "var", recorded=None)
    assert generation(conn) == (0, None, None)
    conn.close()
    assert bootstrap(db, make_registry()) == [7, 12]
    assert generation(db.open()) == (12, None, 12)
    db.close()


def test_two_processes_starting_together_apply_a_step_once(steps, tmp_path):
    db, conn = old_site(tmp_path / "var")
    other = db.open(transaction_manager=transaction.TransactionManager())
    registry = make_registry()
    applied_by_other = []
    # While this process runs step 7, the other one runs every step and commits first.
    HOOKS["first"] = lambda: applied_by_other.extend(evolve(other, registry))
    assert evolve(conn, registry) == []
    assert applied_by_other == [7, 12]
    conn.transaction_manager.begin()
    site = conn.root()["portal"]
    assert (site.first, site.second) == (2, 3) and generation(conn) == (12, None, 12)
    db.close()


def test_two_steps_with_one_number_are_refused(steps, tmp_path, monkeypatch):
    folder = tmp_path / "steps"
    (folder / "step007_again.py").write_text(STEP.format(name="again", package=__name__))
    with pytest.raises(RuntimeError, match="share a number"):
        newest()


def test_steps_2_5_7_and_8_give_an_older_site_what_saves_and_grants_used_to_make(tmp_path):
    """A site of release 1: no worklist nor index queue (the first save used to make them), no
    schedule (start-up used to make it), no index of privileged grants (the first grant)."""
    from datetime import timedelta

    from BTrees.OOBTree import OOBTree

    from portal.catalog.queue import get_queue
    from portal.content.schedule import Schedule, next_boundary, stamp
    from portal.content.types import NewsItem
    from portal.publishing.worklist import entries
    from portal.security.sharing import change_local_roles, holds_privileged_grant

    registry = make_registry()
    db, conn = old_site(tmp_path / "var", recorded=1)
    with transaction.manager:
        site = conn.root()["portal"]
        item = NewsItem("Sắp đăng")
        item.effective = FIXED_NOW + timedelta(days=2)
        site.add("sap-dang", item, registry=registry)
    with transaction.manager:
        del site.worklist, site.index_queue, site.schedule, site.privileged_grants
    assert evolve(conn, registry)[:7] == [2, 3, 4, 5, 6, 7, 8]
    conn.transaction_manager.begin()
    site = conn.root()["portal"]
    assert isinstance(site.schedule, Schedule) and isinstance(site.privileged_grants, OOBTree)
    with transaction.manager:
        site.workflow_policy = {"NewsItem": "simple_publication"}
        site.add("nhap", NewsItem("Bản nháp"), registry=registry)
    assert [path for path, _entry in entries(site)] == ["nhap"] and len(get_queue(site)) == 0
    assert next_boundary(site, FIXED_NOW) == stamp(item.effective)
    assert not holds_privileged_grant(site, ["user:an"])
    with transaction.manager:
        change_local_roles(site, site["sap-dang"], "user:an", ("Reviewer",))
    assert holds_privileged_grant(site, ["user:an"])
    db.close()
