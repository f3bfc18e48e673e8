"""Evolve steps: applied once, in order, to databases made before them; never to new sites;
processes starting together on one database apply each step once."""
import sys

import pytest
import transaction

import portal.evolve
from portal.evolve import evolve, newest, version_of
from portal.startup import ensure_site
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


def old_site(var):
    """A database whose site predates every evolve step."""
    db = open_db(var)
    conn = db.open()
    with transaction.manager:
        site = ensure_site(conn.root(), FIXED_NOW)
        site.evolve_version = 0
    return db, conn


def test_a_new_site_starts_at_the_newest_step(steps, tmp_path):
    assert newest() == 12
    db = open_db(tmp_path / "var")
    conn = db.open()
    with transaction.manager:
        site = ensure_site(conn.root(), FIXED_NOW)
    assert version_of(site) == 12
    assert evolve(conn, make_registry()) == [] and CALLS == []
    db.close()


def test_an_old_site_gets_each_step_once_in_order(steps, tmp_path):
    db, conn = old_site(tmp_path / "var")
    assert evolve(conn, make_registry()) == [7, 12]
    site = conn.root()["portal"]
    assert (site.first, site.second, version_of(site)) == (1, 2, 12)
    assert evolve(conn, make_registry()) == [] and CALLS == ["first", "second"]
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
    assert version_of(site) == 12 and (site.first, site.second) == (2, 3)
    db.close()


def test_two_steps_with_one_number_are_refused(steps, tmp_path, monkeypatch):
    folder = tmp_path / "steps"
    (folder / "step007_again.py").write_text(STEP.format(name="again", package=__name__))
    with pytest.raises(RuntimeError, match="share a number"):
        newest()
