"""The Manager's pages for users and groups (issue 4, E1), through WebTest on a demo copy."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
import transaction
from webtest import TestApp

from portal.security.principals import Group

from .conftest import add_user, clocked_app, editing
from .test_login import enrol, form_to, sign_in, whoami
from .test_two_step import site_of as editing_site

NEW_PASSWORD = "Mat-khau-moi-2026"
VIEWS = ("users", "user-add", "user-edit?login=bientap", "groups", "group-add",
         "group-edit?name=to-thu-nghiem")
POST_VIEWS = VIEWS[1:3] + VIEWS[4:]


@pytest.fixture
def portal(demo_copy):
    """(WebTest app factory, clock, wsgi app) over a demo copy with users and two groups."""
    with editing(demo_copy) as site:
        site.groups.add(Group("to-thu-nghiem", "Tổ thử nghiệm"))
        site.groups.add(Group("nhom-quan-tri", "Nhóm quản trị", roles=("Manager",)))
        add_user(site, "quantri", "Quản Trị Viên", roles=("Manager",))
        add_user(site, "quantri2", "Trần Thị Hai", roles=("Manager",))
        add_user(site, "bientap", "Nguyễn Văn Biên")
    app, clock = clocked_app(demo_copy)
    yield (lambda: TestApp(app)), clock, app
    app.registry._zodb_databases[""].close()


@contextmanager
def site_of(app):
    """The site as committed, through a connection of its own."""
    conn = app.registry._zodb_databases[""].open()
    try:
        yield conn.root()["portal"]
    finally:
        transaction.abort()
        conn.close()


def manager(portal, login="quantri"):
    """A browser signed in as the Manager ``login`` (two steps, enrolled on the way)."""
    new, clock, _app = portal
    browser = new()
    sign_in(browser, login)
    enrol(browser, clock)
    assert whoami(browser) is not None
    return browser


def audit_actions(app, target):
    with site_of(app) as site:
        entries, _total = site.audit_log.query(target_contains=target, limit=100)
        return [(entry.actor, entry.action) for entry in entries]


def field_error(page, field):
    """The text of the error shown next to ``field``, checking the field points at it."""
    error = page.html.select_one(f"#err-{field}")
    assert error is not None, f"no error for {field}"
    described = page.html.select(f'[aria-describedby~="err-{field}"]')
    assert described, f"nothing is described by err-{field}"
    return error.text.strip()


def edit_form(browser, login):
    return form_to(browser.get(f"/@@user-edit?login={login}"), "user-edit?login=" + login)


def checked(form, name):
    """The values of the ticked checkboxes ``name``."""
    return sorted(field.value for field in form.fields.get(name, ()) if field.checked)


def tick(form, name, values):
    """Tick exactly the checkboxes ``name`` whose value is in ``values``."""
    for field in form.fields.get(name, ()):
        field.checked = field._value in values


class TestUsers:
    def test_the_list_shows_every_user_and_filters_ignoring_accents(self, portal):
        browser = manager(portal)
        page = browser.get("/@@users")
        assert page.html.select_one("h1").text == "Người dùng"
        rows = {row["data-login"]: row for row in page.html.select("tr.user-row")}
        assert set(rows) == {"quantri", "quantri2", "bientap"}
        assert "Quản trị viên" in rows["quantri"].text
        assert "Đã thiết lập" in rows["quantri"].select_one(".two-step").text
        assert "Chưa thiết lập" in rows["bientap"].select_one(".two-step").text
        page = browser.get("/@@users", {"q": "nguyen bien"})
        assert [row["data-login"] for row in page.html.select("tr.user-row")] == ["bientap"]
        page = browser.get("/@@users", {"q": "khong-ai"})
        assert not page.html.select("tr.user-row")

    def test_a_manager_adds_a_user_who_then_signs_in(self, portal):
        new, _clock, app = portal
        browser = manager(portal)
        form = form_to(browser.get("/@@users").click(href="@@user-add"), "user-add")
        form["login"] = " Le.Thi.Ba "
        form["fullname"] = "Lê Thị Ba"
        form["email"] = "ba@example.vn"
        tick(form, "roles", {"Author"})
        tick(form, "groups", {"to-thu-nghiem", "ban-tuyen-giao"})
        form["password"] = form["password_confirm"] = NEW_PASSWORD
        done = form.submit(status=303).follow()
        assert "Đã thêm người dùng." in done.html.select_one(".form-ok").text
        with site_of(app) as site:
            user = site.users.get("le.thi.ba")
            assert (user.fullname, user.email, user.roles) == ("Lê Thị Ba", "ba@example.vn",
                                                               ("Author",))
            assert set(user.groups) == {"to-thu-nghiem", "ban-tuyen-giao"}
            assert user.active and not user.two_step_enrolled
        assert ("quantri", "user-added") in audit_actions(app, "le.thi.ba")
        person = new()
        sign_in(person, "le.thi.ba", NEW_PASSWORD)
        assert whoami(person) == "Lê Thị Ba"

    def test_a_weak_password_and_a_taken_login_are_shown_next_to_their_fields(self, portal):
        _new, _clock, app = portal
        browser = manager(portal)
        form = form_to(browser.get("/@@user-add"), "user-add")
        form["login"] = "bientap"
        form["fullname"] = "Người Thứ Hai"
        form["email"] = "hai@example.vn"
        tick(form, "roles", {"Editor"})
        tick(form, "groups", {"to-thu-nghiem"})
        form["password"] = form["password_confirm"] = "ngan1"
        page = form.submit(status=400)
        assert "đã có người dùng" in field_error(page, "login")
        assert "ít nhất 10 ký tự" in field_error(page, "password")
        assert page.html.select_one(".form-error[role=alert]") is not None
        again = form_to(page, "user-add")
        assert again["login"].value == "bientap"
        assert again["fullname"].value == "Người Thứ Hai"
        assert again["email"].value == "hai@example.vn"
        assert checked(again, "roles") == ["Editor"]
        assert checked(again, "groups") == ["to-thu-nghiem"]
        assert again["password"].value == ""   # passwords are never sent back
        # Now a free login, a password containing it and a confirmation that differs.
        again["login"] = "nguoimoi"
        again["password"], again["password_confirm"] = "nguoimoi-2026", "khac-hoan-toan-1"
        page = again.submit(status=400)
        assert "tên đăng nhập" in field_error(page, "password")
        again["password"], again["password_confirm"] = NEW_PASSWORD, "khac-hoan-toan-1"
        page = again.submit(status=400)
        assert "không giống nhau" in field_error(page, "password_confirm")
        bad = form_to(page, "user-add")
        bad["login"], bad["email"], bad["fullname"] = "Có dấu", "khong-phai-email", ""
        bad["password"] = bad["password_confirm"] = NEW_PASSWORD
        page = bad.submit(status=400)
        for field in ("login", "email", "fullname"):
            field_error(page, field)
        with site_of(app) as site:
            assert "nguoimoi" not in site.users
            assert site.users.get("bientap").fullname == "Nguyễn Văn Biên"

    def test_roles_and_groups_are_edited_and_audited(self, portal):
        new, clock, app = portal
        browser = manager(portal)
        form = edit_form(browser, "bientap")
        assert form["fullname"].value == "Nguyễn Văn Biên"
        form["fullname"] = "Nguyễn Văn Biên Tập"
        tick(form, "roles", {"Editor", "Publisher"})
        tick(form, "groups", {"to-thu-nghiem"})
        page = form.submit(status=303).follow()
        assert page.html.select_one(".form-ok") is not None
        again = form_to(page, "user-edit?login=bientap")
        assert checked(again, "roles") == ["Editor", "Publisher"]
        assert checked(again, "groups") == ["to-thu-nghiem"]
        with site_of(app) as site:
            user = site.users.get("bientap")
            assert set(user.roles) == {"Editor", "Publisher"}
            assert user.groups == ("to-thu-nghiem",)
            assert user.fullname == "Nguyễn Văn Biên Tập"
        assert ("quantri", "user-changed") in audit_actions(app, "bientap")
        # A Publisher must now pass two steps.
        person = new()
        assert "@@two-step-setup" in sign_in(person, "bientap").location
        # Saving without a change records nothing.
        clock.advance(timedelta(seconds=1))
        before = len(audit_actions(app, "bientap"))
        edit_form(browser, "bientap").submit(status=303)
        assert len(audit_actions(app, "bientap")) == before

    def test_deactivating_ends_the_sessions_and_refuses_sign_in(self, portal):
        new, clock, app = portal
        person = new()
        sign_in(person, "bientap")
        assert whoami(person) == "Nguyễn Văn Biên"
        clock.advance(timedelta(seconds=5))
        browser = manager(portal)
        form = edit_form(browser, "bientap")
        form["active"] = False
        page = form.submit(status=303).follow()
        assert not form_to(page, "user-edit?login=bientap")["active"].checked
        assert whoami(person) is None
        sign_in(person, "bientap", status=401)
        assert "Đã vô hiệu hóa" in browser.get("/@@users").html.select_one(
            'tr[data-login="bientap"] .state').text
        assert ("quantri", "user-deactivated") in audit_actions(app, "bientap")
        # Reactivated, the person signs in again.
        clock.advance(timedelta(seconds=5))
        form = edit_form(browser, "bientap")
        form["active"] = True
        form.submit(status=303)
        sign_in(person, "bientap")
        assert whoami(person) == "Nguyễn Văn Biên"

    def test_resetting_the_second_factor_makes_the_user_enrol_again(self, portal):
        new, clock, app = portal
        other = manager(portal, "quantri2")
        clock.advance(timedelta(seconds=5))
        browser = manager(portal)
        page = browser.get("/@@user-edit?login=quantri2")
        reset = next(form for form in page.forms.values()
                     if form.get("action", default=None) is not None
                     and form["action"].value == "reset-two-step")
        done = reset.submit(status=303).follow()
        assert "Đã đặt lại" in done.html.select_one(".form-ok").text
        with site_of(app) as site:
            user = site.users.get("quantri2")
            assert not user.two_step_enrolled and not user.recovery_hashes
        assert ("quantri", "twostep-reset") in audit_actions(app, "quantri2")
        assert whoami(other) is None          # signed out everywhere
        clock.advance(timedelta(seconds=5))
        assert "@@two-step-setup" in sign_in(other, "quantri2").location
        enrol(other, clock)
        assert whoami(other) == "Trần Thị Hai"
        assert new is not None

    def test_a_manager_sets_a_new_password(self, portal):
        new, clock, app = portal
        person = new()
        sign_in(person, "bientap")
        clock.advance(timedelta(seconds=5))
        browser = manager(portal)
        form = edit_form(browser, "bientap")
        form["password"] = form["password_confirm"] = "bientap-2026-moi"
        assert "tên đăng nhập" in field_error(form.submit(status=400), "password")
        form = edit_form(browser, "bientap")
        form["password"] = form["password_confirm"] = NEW_PASSWORD
        form.submit(status=303)
        assert whoami(person) is None
        assert ("quantri", "password-reset") in audit_actions(app, "bientap")
        clock.advance(timedelta(seconds=5))
        sign_in(person, "bientap", status=401)
        sign_in(person, "bientap", NEW_PASSWORD)
        assert whoami(person) == "Nguyễn Văn Biên"

    def test_a_manager_cannot_deactivate_themself_or_change_their_own_roles(self, portal):
        _new, _clock, app = portal
        with editing_site(app) as site:
            site.users.get("quantri").groups = ("nhom-quan-tri",)
        browser = manager(portal)
        form = edit_form(browser, "quantri")
        form["active"] = False
        page = form.submit(status=400)
        assert "chính mình" in field_error(page, "active")
        # Nobody raises (or lowers) themself: no role, no group, not even through a group.
        for name, values in (("roles", {"Manager", "Secretary"}), ("roles", set()),
                             ("groups", {"nhom-quan-tri", "to-thu-nghiem"}), ("groups", set())):
            form = edit_form(browser, "quantri")
            tick(form, name, values)
            page = form.submit(status=400)
            assert "Không ai tự thay đổi vai trò" in field_error(page, name)
            assert checked(form_to(page, "user-edit?login=quantri"), name) == sorted(values)
        page = browser.get("/@@group-edit?name=nhom-quan-tri")
        form = form_to(page, "group-edit?name=nhom-quan-tri")
        tick(form, "members", set())
        field_error(form.submit(status=400), "members")
        form = form_to(browser.get("/@@group-edit?name=nhom-quan-tri"), "group-edit?name=nhom-quan-tri")
        tick(form, "roles", {"Manager", "Secretary"})
        field_error(form.submit(status=400), "roles")
        form = form_to(browser.get("/@@group-edit?name=to-thu-nghiem"), "group-edit?name=to-thu-nghiem")
        tick(form, "members", {"quantri"})
        field_error(form.submit(status=400), "members")
        with site_of(app) as site:
            user = site.users.get("quantri")
            assert user.active and user.groups == ("nhom-quan-tri",)
            assert user.roles == ("Manager",)
            assert site.groups.get("nhom-quan-tri").roles == ("Manager",)
            assert not list(site.users.members_of("to-thu-nghiem"))
        # Another Manager may do it.
        other = manager(portal, "quantri2")
        form = edit_form(other, "quantri")
        form["active"] = False
        form.submit(status=303)
        assert whoami(browser) is None

    def test_an_unknown_login_or_group_is_not_found(self, portal):
        browser = manager(portal)
        page = browser.get("/@@user-edit?login=khong-co", status=404)
        assert page.html.select_one("h1").text == "Không tìm thấy trang"
        browser.get("/@@user-edit", status=404)
        browser.get("/@@group-edit?name=khong-co", status=404)
        browser.post("/@@user-edit?login=khong-co",
                     {"csrf_token": browser.cookies["portal_csrf"]}, status=404)


class TestGroups:
    def test_the_list_shows_titles_roles_and_member_counts(self, portal):
        browser = manager(portal)
        page = browser.get("/@@users").click(href="@@groups")
        rows = {row["data-name"]: row for row in page.html.select("tr.group-row")}
        assert {"to-thu-nghiem", "nhom-quan-tri", "ban-tuyen-giao"} <= set(rows)
        assert "Quản trị viên" in rows["nhom-quan-tri"].text
        assert rows["to-thu-nghiem"].select_one(".members").text == "0"

    def test_a_group_is_added_with_members_and_edited(self, portal):
        new, clock, app = portal
        browser = manager(portal)
        form = form_to(browser.get("/@@groups").click(href="@@group-add"), "group-add")
        form["name"] = "to-ky-thuat"
        form["title"] = "Tổ Kỹ thuật"
        form["description"] = "Vận hành cổng."
        tick(form, "roles", {"Author"})
        tick(form, "members", {"bientap", "quantri2"})
        page = form.submit(status=303).follow()
        assert "Đã thêm nhóm." in page.html.select_one(".form-ok").text
        with site_of(app) as site:
            group = site.groups.get("to-ky-thuat")
            assert (group.title, group.description, group.roles) == (
                "Tổ Kỹ thuật", "Vận hành cổng.", ("Author",))
            assert {u.login for u in site.users.members_of("to-ky-thuat")} == {
                "bientap", "quantri2"}
        assert ("quantri", "group-added") in audit_actions(app, "to-ky-thuat")
        form = form_to(page, "group-edit?name=to-ky-thuat")
        assert checked(form, "members") == ["bientap", "quantri2"]
        form["title"] = "Tổ Kỹ thuật và Vận hành"
        tick(form, "members", {"quantri2"})
        tick(form, "roles", {"Editor"})
        form.submit(status=303)
        with site_of(app) as site:
            group = site.groups.get("to-ky-thuat")
            assert (group.title, group.roles) == ("Tổ Kỹ thuật và Vận hành", ("Editor",))
            assert "to-ky-thuat" not in site.users.get("bientap").groups
            assert "to-ky-thuat" in site.users.get("quantri2").groups
        assert ("quantri", "group-changed") in audit_actions(app, "to-ky-thuat")
        row = browser.get("/@@groups").html.select_one('tr[data-name="to-ky-thuat"]')
        assert row.select_one(".members").text == "1"
        assert new and clock

    def test_a_bad_or_taken_group_name_and_a_missing_title_keep_what_was_typed(self, portal):
        browser = manager(portal)
        form = form_to(browser.get("/@@group-add"), "group-add")
        form["name"] = "ban-tuyen-giao"
        form["description"] = "Mô tả"
        tick(form, "members", {"bientap"})
        page = form.submit(status=400)
        assert "ban-tuyen-giao" in field_error(page, "name")
        field_error(page, "title")
        again = form_to(page, "group-add")
        assert (again["name"].value, again["description"].value) == ("ban-tuyen-giao", "Mô tả")
        assert checked(again, "members") == ["bientap"]
        again["name"] = "Tên sai!"
        again["title"] = "Được"
        field_error(again.submit(status=400), "name")


class TestAccess:
    def test_someone_without_the_manager_role_gets_403_everywhere(self, portal):
        new, _clock, _app = portal
        person = new()
        sign_in(person, "bientap")
        token = person.cookies["portal_csrf"]
        for view in VIEWS:
            person.get(f"/@@{view}", status=403)
        for view in POST_VIEWS:
            person.post(f"/@@{view}", {"csrf_token": token, "login": "x", "name": "x",
                                       "active": "1", "roles": "Manager"}, status=403)

    def test_anonymous_visitors_never_see_these_pages(self, portal):
        new, _clock, app = portal
        visitor = new()
        for view in VIEWS:
            response = visitor.get(f"/@@{view}", expect_errors=True)
            assert response.status_int == 403 or "@@login" in response.location
        visitor.get("/@@login")   # a form page: the CSRF cookie is set
        for view in POST_VIEWS:
            response = visitor.post(f"/@@{view}", {"csrf_token": visitor.cookies["portal_csrf"],
                                                   "login": "x", "name": "x"},
                                    expect_errors=True)
            assert response.status_int in (403, 303)
        with site_of(app) as site:
            assert "x" not in site.users and "x" not in site.groups

    def test_a_post_without_the_csrf_token_is_refused(self, portal):
        _new, _clock, app = portal
        browser = manager(portal)
        for view in POST_VIEWS:
            browser.post(f"/@@{view}", {"login": "khach-moi", "name": "nhom-moi",
                                        "fullname": "Khách", "title": "Nhóm",
                                        "password": NEW_PASSWORD,
                                        "password_confirm": NEW_PASSWORD}, status=400)
        browser.post("/@@user-edit?login=bientap", {"action": "reset-two-step"}, status=400)
        with site_of(app) as site:
            assert "khach-moi" not in site.users and "nhom-moi" not in site.groups
            assert site.users.get("bientap").active

    def test_the_pages_are_in_english_when_chosen(self, portal):
        browser = manager(portal)
        browser.get("/@@set-language?lang=en")
        page = browser.get("/@@user-edit?login=bientap")
        assert page.html.select_one("h1").text.strip() == "Edit user bientap"
        assert "Reset second factor" not in page.text   # not enrolled: no button
        assert browser.get("/@@groups").html.select_one("h1").text == "Groups and agencies"
