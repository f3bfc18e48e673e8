"""The per-address sign-in throttle slows guessing but never locks out the people behind one
address; the per-account lock stays (S1). Through WebTest with the injected clock."""
from datetime import timedelta

import pytest
import transaction
from webtest import TestApp

from portal.security.throttle import Throttle, account_key, address_key

from .conftest import PASSWORD, T0, add_user, clocked_app, editing

OFFICE = "10.1.2.3"


@pytest.fixture
def portal(demo_copy):
    """(app, clock): the application over a demo database with two editors."""
    with editing(demo_copy) as site:
        add_user(site, "bientap")
        add_user(site, "phongvien")
    app, clock = clocked_app(demo_copy)
    yield app, clock
    app.registry._zodb_databases[""].close()


def browser(app, address=OFFICE):
    """A browser whose requests come from ``address``."""
    return TestApp(app, extra_environ={"REMOTE_ADDR": address})


def sign_in(web, login, password=PASSWORD, status=303):
    page = web.get("/@@login")
    form = next(f for f in page.forms.values() if f.action.endswith("@@login"))
    form["login"], form["password"] = login, password
    return form.submit(status=status)


def guess(app, count, address=OFFICE):
    """``count`` wrong passwords from ``address``, each for a different (unknown) login, so
    that no account is slowed down: only the address gathers failures."""
    web = browser(app, address)
    for i in range(count):
        sign_in(web, f"khach{i}", "sai-mat-khau-1", status=(401, 429))


def test_a_hot_address_slows_wrong_passwords_but_accepts_a_right_one(portal):
    app, _clock = portal
    guess(app, 35)
    web = browser(app)
    page = sign_in(web, "phongvien", "sai-mat-khau-1", status=429)
    assert "Thử lại sau" in page.text
    sign_in(web, "bientap")
    assert "Người dùng bientap" in web.get("/").text


def test_a_hundred_failures_do_not_lock_the_address(portal):
    app, _clock = portal
    guess(app, 110)
    web = browser(app)
    sign_in(web, "bientap")
    assert "Người dùng bientap" in web.get("/").text


def test_the_address_count_decays_with_time(portal):
    app, clock = portal
    guess(app, 60)
    web = browser(app)
    sign_in(web, "phongvien", "sai-mat-khau-1", status=429)
    clock.advance(timedelta(hours=2))
    for login in ("phongvien", "khach1", "khach2"):  # in a row: none is slowed any more
        page = sign_in(web, login, "sai-mat-khau-1", status=401)
        assert "Thử lại sau" not in page.text


def test_an_account_locked_by_its_own_failures_stays_locked_until_its_lock_ends(portal):
    app, clock = portal
    for i in range(10):  # each from its own address: only the account gathers them
        clock.advance(timedelta(seconds=61))
        sign_in(browser(app, f"10.9.0.{i}"), "bientap", "sai-mat-khau-1", status=401)
    web = browser(app, "10.9.1.1")
    clock.advance(timedelta(minutes=14))
    page = sign_in(web, "bientap", PASSWORD, status=429)
    assert "Thử lại sau" in page.text
    clock.advance(timedelta(minutes=1))
    sign_in(web, "bientap")


def test_anonymous_gets_never_write(portal):
    app, _clock = portal
    guess(app, 40)
    db = app.registry._zodb_databases[""]
    last = db.lastTransaction()
    web = browser(app)
    web.get("/@@login")
    web.get("/")
    assert db.lastTransaction() == last


def test_sign_ins_of_different_people_do_not_conflict(portal):
    """Two connections record failures and successes of different accounts and addresses at
    once: both commit, each key being its own entry of the BTree."""
    app, _clock = portal
    db = app.registry._zodb_databases[""]
    managers = [transaction.TransactionManager() for _ in range(2)]
    conns = [db.open(transaction_manager=m) for m in managers]
    throttles = [c.root()["portal"].throttle for c in conns]
    for n, (throttle, who) in enumerate(zip(throttles, ("bientap", "phongvien"))):
        throttle.failed(account_key(who), T0)
        throttle.failed(address_key(f"10.7.0.{n}"), T0)
        throttle.succeeded(account_key(f"khac{n}"))
    for manager in managers:
        manager.commit()
    for conn in conns:
        conn.close()


def test_old_records_of_an_address_read_as_a_decaying_count():
    """A record written before the count decayed, (failures, last failure), is a count at the
    time of its last failure: it needs no migration."""
    throttle, key = Throttle(), address_key(OFFICE)
    throttle._records[key] = (150, T0)
    assert throttle.wait(key, T0) > 0
    assert not throttle.is_locked(key, T0)
    assert throttle.wait(key, T0 + timedelta(hours=2)) == 0
