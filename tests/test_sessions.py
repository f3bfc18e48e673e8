"""Sessions the server can end, host-only cookies and CSRF tokens bound to the session (S1,
S2), through WebTest with an injected clock."""
from datetime import timedelta

import pyotp
import pytest
from webtest import TestApp

from .conftest import add_user, clocked_app, editing
from .test_login import enrol, form_to, sign_in, whoami
from .test_password_reset import last_transaction
from .test_two_step import audited, site_of

NEW_PASSWORD = "Mat-khau-moi-2027"


@pytest.fixture
def portal(demo_copy):
    """(new browser, clock, wsgi app) over a demo copy with a Manager and an editor."""
    with editing(demo_copy) as site:
        add_user(site, "quantri", "Quản Trị Viên", roles=("Manager",))
        add_user(site, "bientap", "Nguyễn Văn Biên")
    app, clock = clocked_app(demo_copy)
    yield (lambda: TestApp(app)), clock, app
    app.registry._zodb_databases[""].close()


def copy_of(new, browser):
    """Another browser holding a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = new()
    thief.set_cookie("portal_auth", browser.cookies["portal_auth"])
    return thief


def token(browser):
    """The CSRF token the pages of ``browser`` carry."""
    return browser.get("/@@logout").html.select_one("input[name=csrf_token]")["value"]


def sign_out(browser, everywhere=False):
    data = {"csrf_token": token(browser)}
    if everywhere:
        data["everywhere"] = "1"
    return browser.post("/@@logout", data, status=303)


def with_code(browser, login, secret, clock):
    """Sign ``browser`` in as ``login`` with the password and the code of ``secret``."""
    clock.advance(timedelta(seconds=30))          # a code is used once
    sign_in(browser, login)
    form = form_to(browser.get("/@@login-code"), "login-code")
    form["code"] = pyotp.TOTP(secret).at(clock.now())
    form.submit(status=303)


class TestSignOut:
    def test_a_copied_cookie_no_longer_works_after_sign_out(self, portal):
        new, _clock, _app = portal
        browser = new()
        sign_in(browser, "bientap")
        thief = copy_of(new, browser)
        assert whoami(thief) == "Nguyễn Văn Biên"
        sign_out(browser)
        assert whoami(browser) is None
        assert whoami(thief) is None
        thief.get("/@@dashboard", status=403)

    def test_signing_out_ends_that_session_alone(self, portal):
        new, clock, _app = portal
        office, home = new(), new()
        sign_in(office, "bientap")
        clock.advance(timedelta(seconds=5))
        sign_in(home, "bientap")
        sign_out(office)
        assert whoami(home) == "Nguyễn Văn Biên"
        clock.advance(timedelta(seconds=5))
        sign_in(office, "bientap")                 # a new session, not the ended one
        assert whoami(office) == "Nguyễn Văn Biên"

    def test_requests_only_read_the_sessions_ended_on_the_server(self, portal):
        new, _clock, app = portal
        browser = new()
        sign_in(browser, "bientap")
        thief = copy_of(new, browser)
        sign_out(browser)
        before = last_transaction(app)
        thief.get("/")                             # the ended session, anonymously
        new().get("/")                             # a visitor
        browser.get("/")
        assert last_transaction(app) == before

    def test_ended_sessions_are_kept_only_until_they_would_have_expired(self, portal):
        new, clock, app = portal
        for _n in range(3):
            browser = new()
            sign_in(browser, "bientap")
            sign_out(browser)
            clock.advance(timedelta(hours=7))
        with site_of(app) as site:
            # Signed in at 0, 7 and 14 h, for 12 h at most: the first needs no refusing at 14 h.
            assert len(site.users.get("bientap").revoked_sessions) == 2

    def test_signing_out_everywhere_ends_every_session(self, portal):
        new, clock, app = portal
        office, home = new(), new()
        sign_in(office, "bientap")
        thief = copy_of(new, office)
        clock.advance(timedelta(seconds=5))
        sign_in(home, "bientap")
        page = home.get("/@@logout")
        assert page.html.select_one("#sign-out-everywhere button[name=everywhere]") is not None
        sign_out(home, everywhere=True)
        assert [whoami(b) for b in (office, home, thief)] == [None, None, None]
        assert ("bientap", "bientap", "everywhere") in audited(app, "logout")
        clock.advance(timedelta(seconds=1))
        sign_in(office, "bientap")
        assert whoami(office) == "Nguyễn Văn Biên"

    def test_the_user_bar_leads_to_signing_out_everywhere(self, portal):
        new, _clock, _app = portal
        browser = new()
        sign_in(browser, "bientap")
        link = browser.get("/").html.select_one('.user-bar a[href$="@@logout"]')
        assert link is not None


class TestManagerEndsSessions:
    def test_a_manager_signs_a_person_out_everywhere(self, portal):
        new, clock, app = portal
        manager = new()
        sign_in(manager, "quantri")
        enrol(manager, clock)
        person = new()
        sign_in(person, "bientap")
        form = next(f for f in manager.get("/@@user-edit?login=bientap").forms.values()
                    if f.get("action", default=None) is not None
                    and f["action"].value == "sign-out-everywhere")
        done = form.submit(status=303).follow()
        assert done.html.select_one(".form-ok") is not None
        assert whoami(person) is None
        assert whoami(manager) == "Quản Trị Viên"
        assert ("quantri", "bientap", "everywhere, by a Manager") in audited(app, "logout")

    def test_a_new_password_ends_the_other_sessions_of_its_owner(self, portal):
        new, clock, _app = portal
        here, elsewhere = new(), new()
        sign_in(here, "quantri")
        secret, _codes = enrol(here, clock)
        with_code(elsewhere, "quantri", secret, clock)
        form = form_to(here.get("/@@user-edit?login=quantri"), "user-edit?login=quantri")
        form["password"] = form["password_confirm"] = NEW_PASSWORD
        form.submit(status=303)
        assert whoami(here) == "Quản Trị Viên"
        assert whoami(elsewhere) is None

    def test_deactivation_ends_every_session(self, portal):
        new, clock, _app = portal
        manager = new()
        sign_in(manager, "quantri")
        enrol(manager, clock)
        person = new()
        sign_in(person, "bientap")
        thief = copy_of(new, person)
        form = form_to(manager.get("/@@user-edit?login=bientap"), "user-edit?login=bientap")
        form["active"] = False
        form.submit(status=303)
        assert whoami(person) is None and whoami(thief) is None


class TestCookies:
    def test_every_cookie_of_a_sign_in_is_host_only(self, portal):
        new, _clock, _app = portal
        browser = new()
        browser.get("/@@login")
        response = sign_in(browser, "quantri")       # the pending cookie of the second step
        headers = response.headers.getall("Set-Cookie")
        assert {h.split("=")[0] for h in headers} >= {"portal_pending"}
        response = sign_in(new(), "bientap")
        headers += response.headers.getall("Set-Cookie")
        assert {h.split("=")[0] for h in headers} >= {"portal_auth", "portal_csrf"}
        assert not [h for h in headers if "domain=" in h.lower()]

    def test_secure_cookies_are_host_prefixed(self, demo_copy):
        with editing(demo_copy) as site:
            add_user(site, "bientap", "Nguyễn Văn Biên")
            add_user(site, "quantri", "Quản Trị Viên", roles=("Manager",))
        app, _clock = clocked_app(demo_copy, **{"portal.secure_cookies": "true"})
        try:
            https = {"wsgi.url_scheme": "https", "HTTP_HOST": "localhost"}
            origin = {"Origin": "https://localhost"}
            browser = TestApp(app, extra_environ=https)
            page = browser.get("/@@login")
            form = form_to(page, "login")
            form["login"], form["password"] = "bientap", "Mat-khau-2026-dai"
            response = form.submit(status=303, headers=origin)
            headers = page.headers.getall("Set-Cookie") + response.headers.getall("Set-Cookie")
            names = {h.split("=")[0] for h in headers}
            assert {"__Host-portal_auth", "__Host-portal_csrf"} <= names
            assert not names & {"portal_auth", "portal_csrf"}
            for header in headers:
                attributes = header.lower()
                assert "secure" in attributes and "path=/" in attributes
                assert "domain=" not in attributes
            assert whoami(browser) == "Nguyễn Văn Biên"
            form = form_to(TestApp(app, extra_environ=https).get("/@@login"), "login")
            form["login"], form["password"] = "quantri", "Mat-khau-2026-dai"
            pending = form.submit(status=303, headers=origin).headers.getall("Set-Cookie")
            assert any(h.startswith("__Host-portal_pending=") and "; secure" in h.lower()
                       for h in pending)
        finally:
            app.registry._zodb_databases[""].close()


class TestCsrfBoundToTheSession:
    def test_a_token_from_before_the_sign_in_is_refused(self, portal):
        new, _clock, _app = portal
        browser = new()
        before = token(browser)
        sign_in(browser, "bientap")
        assert token(browser) != before
        # A cookie planted by another host, posted along with its value (double submit).
        browser.set_cookie("portal_csrf", before)
        browser.post("/@@logout", {"csrf_token": before}, status=400)
        assert whoami(browser) == "Nguyễn Văn Biên"
        sign_out(browser)

    def test_a_token_of_another_session_is_refused(self, portal):
        new, clock, _app = portal
        mine, other = new(), new()
        sign_in(mine, "bientap")
        clock.advance(timedelta(seconds=5))
        sign_in(other, "bientap")
        stolen = token(other)
        mine.set_cookie("portal_csrf", stolen)     # planted with its value: double submit
        mine.post("/@@logout", {"csrf_token": stolen}, status=400)
        assert whoami(mine) == "Nguyễn Văn Biên"

    def test_the_token_lasts_the_session_and_changes_with_the_second_step(self, portal):
        new, clock, _app = portal
        browser = new()
        sign_in(browser, "bientap")
        first = token(browser)
        clock.advance(timedelta(minutes=10))       # the ticket is reissued, same session
        assert token(browser) == first == browser.cookies["portal_csrf"]
        manager = new()
        sign_in(manager, "quantri")
        enrol(manager, clock)
        before = token(manager)
        with site_of(portal[2]) as site:           # made a Manager while signed in
            site.users.get("bientap").roles = ("Manager",)
        page = browser.get("/@@users", status=303).follow()
        form = form_to(page, "two-step-setup")
        form["code"] = pyotp.TOTP(form["secret"].value).at(clock.now())
        form.submit(status=200)
        assert token(browser) != first
        browser.post("/@@logout", {"csrf_token": first}, status=400)
        assert token(manager) == before

    def test_anonymous_forms_keep_the_double_submit_cookie(self, portal):
        new, _clock, _app = portal
        browser = new()
        assert token(browser) == browser.cookies["portal_csrf"]
        form = form_to(browser.get("/@@forgot-password"), "forgot-password")
        form["name"] = "bientap"
        form.submit(status=303)
        sign_in(browser, "bientap")
        sign_out(browser)
        assert token(browser) == browser.cookies["portal_csrf"]
        sign_in(browser, "bientap")
