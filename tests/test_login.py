"""The whole sign-in flow through WebTest with an injected clock (S1, S2)."""
from datetime import timedelta

import pyotp
import pytest
from webtest import TestApp

from .conftest import PASSWORD, T0, add_user, clocked_app, editing  # noqa: F401 (re-exported)


@pytest.fixture
def portal(demo_copy):
    """(WebTest app, clock) over a demo database with a manager and an editor."""
    with editing(demo_copy) as site:
        add_user(site, "quantri", roles=("Manager",))
        add_user(site, "bientap")
    app, clock = clocked_app(demo_copy)
    yield TestApp(app), clock
    app.registry._zodb_databases[""].close()


def form_to(page, view):
    """The form of ``page`` that posts to ``@@view``."""
    return next(f for f in page.forms.values() if f.action.endswith(f"@@{view}"))


def sign_in(app, login, password=PASSWORD, status=303):
    form = form_to(app.get("/@@login"), "login")
    form["login"], form["password"] = login, password
    return form.submit(status=status)


def whoami(app):
    bar = app.get("/").html.select_one(".user-bar strong")
    return bar.text if bar else None


def people(app, clock, two_step=()):
    """``person(login)``: a browser signed in as ``login`` (``anonymous``: signed out), made
    once; the logins in ``two_step`` also enrol their second step."""
    browsers = {}

    def person(login):
        if login not in browsers:
            browsers[login] = TestApp(app)
            if login != "anonymous":
                sign_in(browsers[login], login)
                if login in two_step:
                    enrol(browsers[login], clock)
        return browsers[login]

    return person


def enrol(app, clock):
    page = app.get("/@@two-step-setup")
    secret = page.html.select_one("code.secret").text
    form = form_to(page, "two-step-setup")
    form["code"] = pyotp.TOTP(secret).at(clock.now())
    done = form.submit()
    codes = [c.text for c in done.html.select(".codes code")]
    return secret, codes


class TestPassword:
    def test_a_plain_editor_signs_in_with_the_password_alone(self, portal):
        app, _clock = portal
        response = sign_in(app, "bientap")
        cookie = response.headers.getall("Set-Cookie")
        auth = next(c for c in cookie if c.startswith("portal_auth="))
        assert "HttpOnly" in auth and "SameSite=Lax" in auth
        assert whoami(app) == "Người dùng bientap"

    def test_the_session_id_changes_at_each_sign_in(self, portal):
        app, clock = portal
        sign_in(app, "bientap")
        first = app.cookies["portal_auth"]
        app.post("/@@logout", {"csrf_token": app.cookies["portal_csrf"]}, status=303)
        clock.advance(timedelta(seconds=5))
        sign_in(app, "bientap")
        assert app.cookies["portal_auth"] != first

    def test_a_wrong_password_is_refused_in_the_page_language(self, portal):
        app, _clock = portal
        page = sign_in(app, "bientap", "sai-mat-khau-1", status=401)
        assert "Sai tên đăng nhập hoặc mật khẩu." in page.text
        assert page.forms["login-form"]["login"].value == "bientap"  # what was typed is kept
        assert whoami(app) is None

    def test_sign_in_without_the_csrf_token_is_refused(self, portal):
        app, _clock = portal
        app.post("/@@login", {"login": "bientap", "password": PASSWORD}, status=400)
        assert whoami(app) is None

    def test_sign_out_ends_the_session(self, portal):
        app, _clock = portal
        sign_in(app, "bientap")
        app.post("/@@logout", {"csrf_token": app.cookies["portal_csrf"]}, status=303)
        assert whoami(app) is None


class TestTwoSteps:
    def test_a_manager_must_enrol_then_is_signed_in(self, portal):
        app, clock = portal
        response = sign_in(app, "quantri")
        assert "@@two-step-setup" in response.location
        assert whoami(app) is None  # the password alone is not enough
        page = response.follow()
        assert page.html.select_one("img.qr")["src"].startswith("data:image/svg+xml")
        form = form_to(page, "two-step-setup")
        form["code"] = "000000"
        assert "không đúng" in form.submit(status=400).text
        _secret, codes = enrol(app, clock)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert whoami(app) == "Người dùng quantri"

    def test_a_code_is_refused_when_replayed_and_accepted_at_the_next_step(self, portal):
        app, clock = portal
        sign_in(app, "quantri")
        secret, _codes = enrol(app, clock)
        app.post("/@@logout", {"csrf_token": app.cookies["portal_csrf"]})
        response = sign_in(app, "quantri")
        assert "@@login-code" in response.location
        form = form_to(response.follow(), "login-code")
        form["code"] = pyotp.TOTP(secret).at(clock.now())  # the code used at enrolment
        assert "đã được sử dụng" in form.submit(status=401).text
        clock.advance(timedelta(seconds=30))
        form = form_to(app.get("/@@login-code"), "login-code")
        form["code"] = pyotp.TOTP(secret).at(clock.now())
        form.submit(status=303)
        assert whoami(app) == "Người dùng quantri"

    def test_a_recovery_code_works_once(self, portal):
        app, clock = portal
        sign_in(app, "quantri")
        _secret, codes = enrol(app, clock)
        for expected in (303, 401):
            app.post("/@@logout", {"csrf_token": app.cookies["portal_csrf"]})
            sign_in(app, "quantri")
            form = form_to(app.get("/@@login-code"), "login-code")
            form["code"] = codes[0].upper()
            form.submit(status=expected)

    def test_the_second_step_expires_with_its_cookie(self, portal):
        app, clock = portal
        sign_in(app, "quantri")
        clock.advance(timedelta(minutes=6))
        assert "@@login" in app.get("/@@login-code", status=303).location


class TestThrottle:
    def test_failures_slow_down_then_lock_and_the_lock_ends(self, portal):
        app, clock = portal
        for _ in range(3):
            sign_in(app, "bientap", "sai-mat-khau-1", status=401)
        page = sign_in(app, "bientap", PASSWORD, status=429)  # too soon, even if right
        assert "Thử lại sau 1 giây" in page.text
        for _ in range(7):
            clock.advance(timedelta(seconds=61))
            sign_in(app, "bientap", "sai-mat-khau-1", status=401)
        clock.advance(timedelta(seconds=61))
        page = sign_in(app, "bientap", PASSWORD, status=429)
        assert "phút" in page.text
        clock.advance(timedelta(minutes=15))
        sign_in(app, "bientap")
        assert whoami(app) == "Người dùng bientap"


class TestSessionTimeouts:
    def test_an_idle_session_ends(self, portal):
        app, clock = portal
        sign_in(app, "bientap")
        clock.advance(timedelta(minutes=29))
        assert whoami(app) is not None
        clock.advance(timedelta(minutes=31))
        assert whoami(app) is None

    def test_an_active_session_ends_at_its_absolute_limit(self, portal):
        app, clock = portal
        sign_in(app, "bientap")
        for _ in range(11 * 6):  # active every ten minutes for eleven hours
            clock.advance(timedelta(minutes=10))
            assert whoami(app) is not None
        clock.advance(timedelta(hours=1, minutes=1))
        assert whoami(app) is None


def test_a_sign_in_whose_commit_conflicts_is_retried_and_succeeds(portal):
    """pyramid_retry runs a conflicting request again from the same environ: the token the
    first attempt made must not have replaced the cookie the browser sent."""
    import transaction
    from pyramid.events import ContextFound

    app, _clock = portal
    registry = app.app.registry
    db = registry._zodb_databases[""]
    attempts = []

    def conflict_once(event):
        # The first attempt writes the site's description while another connection commits
        # a change to it: its commit raises ConflictError and the sign-in is run again.
        attempts.append(event.request.path)
        if len(attempts) == 1:
            event.request.root.description += "."
            manager = transaction.TransactionManager()
            other = db.open(transaction_manager=manager)
            with manager:
                other.root()["portal"].description += "!"
            other.close()

    form = form_to(app.get("/@@login"), "login")
    form["login"], form["password"] = "bientap", PASSWORD
    registry.registerHandler(conflict_once, (ContextFound,))
    try:
        form.submit(status=303)
    finally:
        registry.unregisterHandler(conflict_once, (ContextFound,))
    assert attempts == ["/@@login", "/@@login"]
    assert whoami(app) == "Người dùng bientap"
