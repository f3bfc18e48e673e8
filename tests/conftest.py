"""Shared fixtures: a demo database built once per session, WebTest apps, a fixed clock."""
import shutil
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import transaction

from portal.clock import FixedClock, SeededRandom
from portal.security.principals import User
from portal.testing import FIXED_NOW as NOW  # noqa: F401 (tests import it from here)
from portal.testing import build_database, open_db, storage_uri

ROOT = Path(__file__).resolve().parents[1]


def settings_for(var):
    """Application settings for a database in the folder ``var``."""
    return {
        "zodbconn.uri": storage_uri(var),
        "mail.queue_path": str(Path(var) / "mail-queue"),
        "pyramid.default_locale_name": "vi",
        "portal.show_tracebacks": "false",
        "portal.secret": "test-secret-not-for-production",
        "portal.public_url": "http://localhost",
    }


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


# People and time for the tests that sign in ------------------------------------------------
T0 = datetime(2026, 11, 24, 8, 0, 7, tzinfo=UTC)
PASSWORD = "Mat-khau-2026-dai"


@contextmanager
def editing(var):
    """The site of the database in ``var``, inside a transaction committed on exit."""
    db = open_db(var)
    conn = db.open()
    try:
        with transaction.manager:
            yield conn.root()["portal"]
    finally:
        conn.close()
        db.close()


def add_user(site, login, fullname=None, roles=(), groups=(), password=PASSWORD):
    """Store a user with ``password`` (argon2-hashed) in ``site``."""
    user = User(login, fullname or f"Người dùng {login}", f"{login}@example.vn", roles=roles,
                groups=groups)
    user.set_password(password)
    return site.users.add(user)


def clocked_app(var, seed=7, **settings):
    """(app, clock): the application over ``var`` (with extra ``settings``) with a fixed clock
    at T0 and seeded randomness."""
    app = make_app(var, **settings)
    clock = FixedClock(T0)
    app.registry.portal_clock = clock
    app.registry.portal_random = SeededRandom(seed)
    return app, clock


# A real SMTP server (aiosmtpd) for the mail tests.
from .mailserver import mailserver  # noqa: F401
