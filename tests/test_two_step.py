"""Attacks on the second step, through WebTest with an injected clock (S1, S2): enrolling over
an enrolled account from the password step, and roles that need two steps in a session that
passed only the password."""
from contextlib import contextmanager
from datetime import timedelta

import pyotp
import pytest
import transaction
from webtest import TestApp

from .conftest import add_user, clocked_app, editing
from .test_login import enrol, form_to, sign_in, whoami


@pytest.fixture
def portal(demo_copy):
    """(new browser, clock, wsgi app) over a demo copy with a manager and an editor."""
    with editing(demo_copy) as site:
        add_user(site, "quantri", roles=("Manager",))
        add_user(site, "bientap", roles=("Editor",))
    app, clock = clocked_app(demo_copy)
    yield (lambda: TestApp(app)), clock, app
    app.registry._zodb_databases[""].close()


@contextmanager
def site_of(app):
    """The site through a connection of its own, committed on exit."""
    conn = app.registry._zodb_databases[""].open()
    try:
        with transaction.manager:
            yield conn.root()["portal"]
    finally:
        conn.close()


def secret_of(app, login):
    with site_of(app) as site:
        return site.users.get(login).totp_secret


def audited(app, action):
    with site_of(app) as site:
        entries, _total = site.audit_log.query(action=action, limit=100)
        return [(entry.actor, entry.target, entry.details) for entry in entries]


def code(secret, clock):
    return pyotp.TOTP(secret).at(clock.now())


def csrf(browser):
    return browser.cookies["portal_csrf"]


class TestEnrolmentFromThePasswordStep:
    def test_the_password_alone_cannot_replace_an_enrolled_secret(self, portal):
        new, clock, app = portal
        owner = new()
        sign_in(owner, "quantri")
        secret, _codes = enrol(owner, clock)
        attacker = new()
        assert "@@login-code" in sign_in(attacker, "quantri").location
        refused = attacker.get("/@@two-step-setup", status=303)
        assert "@@login-code" in refused.location
        mine = pyotp.random_base32()
        attacker.post("/@@two-step-setup", {"csrf_token": csrf(attacker), "secret": mine,
                                            "code": code(mine, clock)}, status=303)
        assert whoami(attacker) is None
        assert secret_of(app, "quantri") == secret
        assert audited(app, "twostep-enrolled") == [("quantri", "quantri", "")]

    def test_a_user_who_never_enrolled_enrols_from_the_password_step(self, portal):
        new, clock, _app = portal
        browser = new()
        assert "@@two-step-setup" in sign_in(browser, "quantri").location
        enrol(browser, clock)
        assert whoami(browser) == "Người dùng quantri"


class TestReEnrolment:
    def enrolled(self, portal):
        new, clock, _app = portal
        browser = new()
        sign_in(browser, "quantri")
        secret, codes = enrol(browser, clock)
        clock.advance(timedelta(seconds=30))
        return browser, secret, codes

    def test_a_signed_in_user_needs_the_current_code(self, portal):
        _new, clock, app = portal
        browser, secret, _codes = self.enrolled(portal)
        page = browser.get("/@@two-step-setup")
        fresh = page.html.select_one("code.secret").text
        assert fresh != secret
        form = form_to(page, "two-step-setup")
        form["code"] = code(fresh, clock)
        form["current"] = "000000"
        assert "mã hiện tại" in form.submit(status=400).text.lower()
        assert secret_of(app, "quantri") == secret
        form = form_to(browser.get("/@@two-step-setup"), "two-step-setup")
        fresh = form["secret"].value
        form["code"], form["current"] = code(fresh, clock), code(secret, clock)
        done = form.submit()
        assert len(done.html.select(".codes code")) == 10
        assert secret_of(app, "quantri") == fresh
        [(actor, target, details)] = audited(app, "twostep-reenrolled")
        assert (actor, target) == ("quantri", "quantri") and "totp" in details

    def test_a_recovery_code_also_proves_the_current_factor_once(self, portal):
        _new, clock, app = portal
        browser, _secret, codes = self.enrolled(portal)
        for expected in (200, 400):
            form = form_to(browser.get("/@@two-step-setup"), "two-step-setup")
            form["code"], form["current"] = code(form["secret"].value, clock), codes[0]
            form.submit(status=expected)
            clock.advance(timedelta(seconds=30))
        assert [d for _a, _t, d in audited(app, "twostep-reenrolled")] == ["recovery"]

    def test_a_signed_out_visitor_is_sent_to_sign_in(self, portal):
        new, _clock, _app = portal
        assert "@@login" in new().get("/@@two-step-setup", status=303).location


class TestRolesNeedingTwoSteps:
    def promote(self, app, login, roles=("Manager",)):
        with site_of(app) as site:
            site.users.get(login).roles = roles

    def test_a_role_given_in_a_password_only_session_waits_for_enrolment(self, portal):
        new, clock, app = portal
        browser = new()
        sign_in(browser, "bientap")
        self.promote(app, "bientap", ("Editor", "Manager"))
        for page in ("/@@users", "/@@audit-log"):
            response = browser.get(page, status=303)
            assert "@@two-step-setup" in response.location
        assert whoami(browser) == "Người dùng bientap"  # still signed in, as an Editor
        form = form_to(browser.get("/@@two-step-setup?came_from=/@@users"), "two-step-setup")
        form["code"] = code(form["secret"].value, clock)
        form.submit()
        browser.get("/@@users", status=200)
        browser.get("/@@audit-log", status=200)

    def test_an_enrolled_user_gives_the_code_before_the_role_works(self, portal):
        new, clock, app = portal
        browser = new()
        sign_in(browser, "bientap")
        secret, _codes = enrol(browser, clock)  # of their own accord, as an Editor
        browser.post("/@@logout", {"csrf_token": csrf(browser)}, status=303)
        clock.advance(timedelta(seconds=30))
        sign_in(browser, "bientap")  # an Editor needs the password alone
        self.promote(app, "bientap")
        response = browser.get("/@@users", status=303)
        assert "@@login-code" in response.location
        form = form_to(response.follow(), "login-code")
        form["code"] = code(secret, clock)
        assert form.submit(status=303).location.endswith("/@@users")
        browser.get("/@@users", status=200)

    def test_a_session_from_before_the_promotion_cannot_share_as_manager(self, portal):
        new, _clock, app = portal
        browser = new()
        sign_in(browser, "bientap")
        self.promote(app, "bientap", ("Editor", "Manager"))
        assert "@@two-step-setup" in browser.get("/@@sharing", status=303).location


class TestSearchInAPasswordOnlySession:
    def test_a_global_role_needing_two_steps_finds_no_draft_before_the_code(self, portal):
        from portal.content.types import NewsItem
        from portal.publishing.policy import place

        from .test_search import found_count

        new, clock, app = portal
        with site_of(app) as site:
            news = site["tin-tuc-su-kien"]["trong-tinh"]
            item = NewsItem("Bản nháp zqxbimat của ban khác")
            news.add("ban-nhap-zqxbimat", item, registry=app.registry)
            place(app.registry, item, "draft")
            add_user(site, "thanhvien")  # a member: no role sees drafts
        browser = new()
        sign_in(browser, "thanhvien")
        assert found_count(browser, "zqxbimat") == 0
        TestRolesNeedingTwoSteps.promote(None, app, "thanhvien", ("Manager",))
        assert found_count(browser, "zqxbimat") == 0  # password alone: not a Manager yet
        form = form_to(browser.get("/@@two-step-setup"), "two-step-setup")
        form["code"] = code(form["secret"].value, clock)
        form.submit()
        assert found_count(browser, "zqxbimat") == 1
