"""Shared fixtures: a demo database built once per session, WebTest apps, a fixed clock."""
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import transaction
from pyramid.config import Configurator
from ZODB import DB
from ZODB.FileStorage import FileStorage

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def settings_for(var):
    """Application settings for a database in the folder ``var``."""
    return {
        "zodbconn.uri": f"file://{var}/Data.fs?blobstorage_dir={var}/blobs",
        "pyramid.default_locale_name": "vi",
        "portal.show_tracebacks": "false",
    }


def build_database(var, profiles, now=NOW):
    """Create a database in ``var`` with ``profiles`` applied at the fixed time ``now``."""
    from portal.clock import FixedClock
    from portal.paths import resource_dirs
    from portal.profiles import apply_profiles
    from portal.root import ensure_site

    var = Path(var)
    var.mkdir(parents=True, exist_ok=True)
    config = Configurator(settings={"portal.available_languages": "vi en"})
    config.include("portal.clock")
    config.include("portal.content")
    config.include("portal.navigation")
    config.commit()
    registry = config.registry
    registry.portal_clock = FixedClock(now)
    db = DB(FileStorage(str(var / "Data.fs"), blob_dir=str(var / "blobs")))
    conn = db.open()
    try:
        with transaction.manager:
            site = ensure_site(conn.root(), now)
            _templates, profiles_dir = resource_dirs({})
            apply_profiles(site, registry, profiles_dir, profiles, now)
    finally:
        conn.close()
        db.close()
    return var


@pytest.fixture(scope="session")
def demo_var(tmp_path_factory):
    """A pristine folder holding the default + demo database (do not write to it)."""
    return build_database(tmp_path_factory.mktemp("demo") / "var", ["default", "demo"])


@pytest.fixture
def demo_copy(demo_var, tmp_path):
    """A private copy of the demo database for tests that write."""
    target = tmp_path / "var"
    shutil.copytree(demo_var, target)
    return target


def make_app(var, **extra):
    """The WSGI application over the database in ``var``."""
    from portal import main

    return main({}, **dict(settings_for(var), **extra))


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory, demo_var):
    """The application over a session-wide copy of the demo database (read-only tests)."""
    target = tmp_path_factory.mktemp("demo-app") / "var"
    shutil.copytree(demo_var, target)
    app = make_app(target)
    yield app
    app.registry._zodb_databases[""].close()


@pytest.fixture
def testapp(demo_app):
    """WebTest over the demo application, Vietnamese interface."""
    from webtest import TestApp

    return TestApp(demo_app)
