"""Password reset by e-mail through WebTest, with the mail going through a real SMTP server."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from webtest import TestApp

from portal.mail import deliver_queued

from .conftest import PASSWORD, add_user, clocked_app, editing
from .test_login import form_to, sign_in, whoami

NEW_PASSWORD = "Mat-khau-moi-2027"
LINK = re.compile(r"https?://\S+/@@reset-password\?token=\S+")


@pytest.fixture
def portal(demo_copy, mailserver):
    """(app factory, clock, wsgi app) with a Vietnamese and an English user."""
    with editing(demo_copy) as site:
        add_user(site, "nguoidung", "Nguyễn Thị Hằng")
        add_user(site, "english", "Jane English").language = "en"
        add_user(site, "nghiviec", "Đã Nghỉ Việc").active = False
    app, clock = clocked_app(demo_copy, **mailserver.settings)
    yield (lambda: TestApp(app)), clock, app
    app.registry._zodb_databases[""].close()


def ask(browser, name):
    form = form_to(browser.get("/@@forgot-password"), "forgot-password")
    form["name"] = name
    return form.submit(status=303).follow()


def delivered(app, mailserver):
    deliver_queued(app.registry.settings)
    return mailserver.messages


def link_path(message):
    url = LINK.search(message.get_content()).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def choose(browser, path, password=NEW_PASSWORD, again=None, status=303):
    form = form_to(browser.get(path), "reset-password")
    form["password"], form["password_confirm"] = password, again or password
    return form.submit(status=status)


def last_transaction(app):
    return app.registry._zodb_databases[""].lastTransaction()


def test_the_login_page_links_to_the_forgotten_password_page(portal):
    new, _clock, _app = portal
    page = new().get("/@@login")
    assert page.html.select_one('a[href$="@@forgot-password"]') is not None


def test_the_whole_reset_by_mail(portal, mailserver):
    new, clock, app = portal
    browser = new()
    answer = ask(browser, "nguoidung")
    assert answer.html.select_one(".form-ok") is not None
    [message] = delivered(app, mailserver)
    assert message["To"] == "nguoidung@example.vn"
    assert message["Content-Language"] == "vi"
    assert "Nguyễn Thị Hằng" in message.get_content()
    assert mailserver.longest_line <= 998
    path = link_path(message)
    done = choose(browser, path)
    assert urlsplit(done.location).path.endswith("/@@login")
    assert done.follow().html.select_one(".form-ok") is not None
    clock.advance(timedelta(seconds=1))       # sessions from the reset's instant are void
    sign_in(browser, "nguoidung", PASSWORD, status=401)
    sign_in(browser, "nguoidung", NEW_PASSWORD)
    assert whoami(browser) == "Nguyễn Thị Hằng"
    # The link works once.
    again = new().get(path, status=410)
    assert again.html.select_one('a[href$="@@forgot-password"]') is not None
    conn = app.registry._zodb_databases[""].open()
    try:
        entries, _total = conn.root()["portal"].audit_log.query(action="password-reset-email")
        assert [(e.actor, e.target) for e in entries] == [("nguoidung", "nguoidung")]
    finally:
        conn.close()


def test_a_reset_ends_the_other_sessions(portal, mailserver, demo_copy):
    new, clock, app = portal
    elsewhere = new()
    sign_in(elsewhere, "nguoidung")
    clock.advance(timedelta(seconds=5))
    browser = new()
    ask(browser, "nguoidung@EXAMPLE.vn")               # by e-mail address, any case
    [message] = delivered(app, mailserver)
    choose(browser, link_path(message))
    assert whoami(elsewhere) is None


def test_an_expired_link_is_refused(portal, mailserver):
    new, clock, app = portal
    browser = new()
    ask(browser, "nguoidung")
    [message] = delivered(app, mailserver)
    clock.advance(timedelta(seconds=3601))
    page = browser.get(link_path(message), status=410)
    assert page.html.select_one("form input[name=password]") is None
    assert browser.post("/@@reset-password", {
        "token": link_path(message).split("token=")[1], "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD, "csrf_token": browser.cookies["portal_csrf"]},
        status=410)
    sign_in(browser, "nguoidung", PASSWORD)


def test_unknown_and_inactive_users_get_the_same_page_and_no_mail(portal, mailserver):
    new, _clock, app = portal
    known = ask(new(), "nguoidung")
    for name in ("khongco", "khongco@example.vn", "nghiviec"):
        assert ask(new(), name).html.select_one(".form-page").text == \
            known.html.select_one(".form-page").text
    assert [m["To"] for m in delivered(app, mailserver)] == ["nguoidung@example.vn"]


def answer(browser, name):
    """What a visitor sees of asking for ``name``: status, redirection, cookies set, page."""
    form = form_to(browser.get("/@@forgot-password"), "forgot-password")
    form["name"] = name
    response = form.submit()
    cookies = sorted(header.split("=")[0] for header in response.headers.getall("Set-Cookie"))
    page = response.follow().html.select_one(".form-page").text
    return response.status, response.location, cookies, page


def test_every_name_gets_the_same_answer_and_only_real_accounts_a_message(
        portal, mailserver, demo_copy):
    """An existing account, a throttled one, an unknown name or address and an inactive user
    are answered alike; the messages rendered for the others are discarded, not queued."""
    new, _clock, app = portal
    known = answer(new(), "nguoidung")
    for name in ("nguoidung", "nguoidung", "nguoidung",      # the fourth is throttled
                 "khongco", "khongco", "khongco", "khongco", "khongco@example.vn", "nghiviec"):
        assert answer(new(), name) == known
    assert [m["To"] for m in delivered(app, mailserver)] == ["nguoidung@example.vn"] * 3
    assert list((demo_copy / "mail-queue" / "tmp").iterdir()) == []


def test_an_unknown_name_costs_the_work_of_a_real_message(portal, mailserver):
    """The time both answers take is measured by bench/forgot_password.py; here, the same
    work shows in the randomness both draw (a token and a Message-ID): after asking for an
    unknown name, the next real message has the token it has after asking for a real one."""
    from portal.clock import SeededRandom

    new, _clock, app = portal
    tokens = []
    for first in ("nguoidung", "khongco"):
        app.registry.portal_random = SeededRandom(11)
        ask(new(), first)
        ask(new(), "english")
        tokens.append(link_path(delivered(app, mailserver)[-1]).split("token=")[1])
    assert tokens[0] == tokens[1]


def test_the_mail_is_in_the_users_language(portal, mailserver):
    new, _clock, app = portal
    ask(new(), "english")
    [message] = delivered(app, mailserver)
    assert message["Content-Language"] == "en"
    assert message["Subject"].startswith("A new password for ")
    assert message.get_content().startswith("Hello Jane English,")


def test_a_weak_or_mismatched_password_is_explained_and_the_link_kept(portal, mailserver):
    new, _clock, app = portal
    browser = new()
    ask(browser, "nguoidung")
    path = link_path(delivered(app, mailserver)[0])
    page = choose(browser, path, "ngan1", status=400)
    assert page.html.select_one("#err-password") is not None
    assert "ngan1" not in page.text
    page = choose(browser, path, NEW_PASSWORD, NEW_PASSWORD + "x", status=400)
    assert page.html.select_one("#err-password_confirm") is not None
    choose(browser, path)


def test_the_new_password_needs_the_csrf_token(portal, mailserver):
    new, _clock, app = portal
    browser = new()
    ask(browser, "nguoidung")
    token = link_path(delivered(app, mailserver)[0]).split("token=")[1]
    browser.post("/@@reset-password", {"token": token, "password": NEW_PASSWORD,
                                       "password_confirm": NEW_PASSWORD}, status=400)
    sign_in(browser, "nguoidung", PASSWORD)


def test_nothing_is_written_on_get(portal, mailserver):
    new, _clock, app = portal
    browser = new()
    ask(browser, "nguoidung")
    path = link_path(delivered(app, mailserver)[0])
    before = last_transaction(app)
    browser.get("/@@forgot-password")
    browser.get(path)
    browser.get("/@@reset-password?token=sai", status=410)
    assert last_transaction(app) == before


def test_one_person_cannot_be_flooded_with_links(portal, mailserver):
    new, _clock, app = portal
    for _n in range(5):
        ask(new(), "nguoidung")
    assert len(delivered(app, mailserver)) == 3


def test_many_requests_from_one_address_wait(portal):
    new, clock, _app = portal
    browser = new()
    for n in range(30):
        ask(browser, f"khongco{n}")
    form = form_to(browser.get("/@@forgot-password"), "forgot-password")
    form["name"] = "khongco"
    assert form.submit(status=429).html.select_one(".form-error") is not None
    clock.advance(timedelta(seconds=2))
    ask(browser, "khongco")


def test_a_forged_host_header_never_reaches_the_link(portal, mailserver):
    browser_for, _clock, app = portal
    browser = browser_for()
    page = browser.get("/@@forgot-password", headers={"Host": "evil.example"})
    form = form_to(page, "forgot-password")
    form["name"] = "nguoidung"
    form.submit(status=303, headers={"Host": "evil.example"})
    url = LINK.search(delivered(app, mailserver)[-1].get_content()).group(0)
    assert url.startswith("http://localhost/@@reset-password?token=")
    assert "evil.example" not in url


@pytest.mark.parametrize("value", ["", "thainguyen.dcs.vn", "ftp://thainguyen.dcs.vn",
                                   "https://thainguyen.dcs.vn/?a=1"])
def test_the_portal_refuses_to_start_without_a_public_address(demo_copy, value):
    from pyramid.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="portal.public_url"):
        clocked_app(demo_copy, **{"portal.public_url": value})


def test_production_ini_says_what_to_set_and_stops(tmp_path, monkeypatch, capsys):
    from portal.cli import main

    from .conftest import ROOT

    monkeypatch.setenv("PORTAL_VAR", str(tmp_path / "var"))
    assert main(["init", str(ROOT / "production.ini")]) == 2
    assert "portal.public_url must be the portal's public address" in capsys.readouterr().err
