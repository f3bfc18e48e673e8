"""@@sharing: granting, revoking, blocking inheritance, delegation limits, and two steps for
people who hold a privileged role locally (E1, E3, S1)."""
import pytest
from webtest import TestApp

from portal.security.localroles import get_local_roles, is_blocked

from .conftest import add_user, clocked_app, editing
from .test_login import enrol, sign_in, whoami

FOLDER = "/xay-dung-dang/cong-tac-tuyen-giao/"


@pytest.fixture
def portal(demo_copy):
    with editing(demo_copy) as site:
        add_user(site, "quantri", roles=("Manager",))
        add_user(site, "xuatban", roles=("Publisher",), groups=("ban-bien-tap",))
        add_user(site, "lanhdao", groups=("ban-tuyen-giao",))
        add_user(site, "phongvien")
    app, clock = clocked_app(demo_copy, seed=3)
    yield TestApp(app), clock, app
    app.registry._zodb_databases[""].close()


def form_to(page, view):
    """The POST form of ``page`` sending to ``@@view`` (the search form is a GET)."""
    return next(f for f in page.forms.values()
                if f.action.endswith(f"@@{view}") and f.method.lower() == "post")


def site_of(app):
    conn = app.registry._zodb_databases[""].open()
    return conn, conn.root()["portal"]


def sign_in_two_steps(testapp, clock, login):
    sign_in(testapp, login)
    enrol(testapp, clock)
    assert whoami(testapp) == f"Người dùng {login}"


def test_the_default_profile_gives_each_agency_its_subtree(portal):
    _testapp, _clock, app = portal
    conn, site = site_of(app)
    folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
    assert get_local_roles(folder) == {"group:ban-tuyen-giao": ("Editor",)}
    assert get_local_roles(site)["group:ban-bien-tap"] == ("Publisher",)
    assert len(site.groups) == 24
    conn.close()


def test_a_manager_grants_revokes_and_blocks_and_each_change_is_audited(portal):
    testapp, clock, app = portal
    sign_in_two_steps(testapp, clock, "quantri")
    page = testapp.get(FOLDER + "@@sharing?q=phongvien")
    add = next(a for a in page.html.select(".principal-results a"))
    page = testapp.get(add["href"].replace("http://localhost", ""))
    form = form_to(page, "sharing")
    form.set("roles:user:phongvien", True, index=0)  # first grantable role: Author
    form["block"] = True
    form.submit(status=303)
    conn, site = site_of(app)
    folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
    assert get_local_roles(folder)["user:phongvien"] == ("Author",)
    assert is_blocked(folder)
    actions = [entry.action for entry in site.audit_log.iterate()]
    assert "roles-changed" in actions and "inheritance-blocked" in actions
    conn.close()
    form = form_to(testapp.get(FOLDER + "@@sharing"), "sharing")
    form.set("roles:user:phongvien", False, index=0)
    form["block"] = False
    form.submit(status=303)
    conn, site = site_of(app)
    folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
    assert "user:phongvien" not in get_local_roles(folder) and not is_blocked(folder)
    conn.close()


def test_the_editorial_board_delegates_editorial_roles_but_not_manager(portal):
    testapp, clock, _app = portal
    sign_in_two_steps(testapp, clock, "xuatban")
    page = testapp.get(FOLDER + "@@sharing?add=user:phongvien")
    headers = [th.text for th in page.html.select("thead th")][1:]
    assert headers == ["Tác giả", "Biên tập viên", "Người duyệt"]


def test_nobody_grants_themself_a_role_nor_one_at_or_above_their_own(portal):
    testapp, clock, app = portal
    sign_in_two_steps(testapp, clock, "xuatban")
    with_me = testapp.get(FOLDER + "@@sharing?add=user:xuatban&add=user:phongvien")
    own_row = next(row for row in with_me.html.select("tbody tr") if "xuatban" in row.text)
    assert all(box.has_attr("disabled") for box in own_row.select("input[type=checkbox]"))
    assert not own_row.select("input[name=principal]")
    # A forged form: themself Editor and Secretary, the reporter Publisher, Manager, Author.
    testapp.post(FOLDER + "@@sharing", [
        ("csrf_token", testapp.cookies["portal_csrf"]),
        ("principal", "user:xuatban"), ("roles:user:xuatban", "Editor"),
        ("roles:user:xuatban", "Secretary"),
        ("principal", "group:ban-bien-tap"), ("roles:group:ban-bien-tap", "Editor"),
        ("principal", "user:phongvien"), ("roles:user:phongvien", "Publisher"),
        ("roles:user:phongvien", "Manager"), ("roles:user:phongvien", "Secretary"),
        ("roles:user:phongvien", "Author")], status=303)
    page = testapp.get(FOLDER + "@@sharing?saved=1&refused=1")
    assert "không ai tự thay đổi vai trò" in page.html.select_one(".form-error").text
    conn, site = site_of(app)
    folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
    local = get_local_roles(folder)
    assert "user:xuatban" not in local
    assert local["user:phongvien"] == ("Author",)
    assert "group:ban-bien-tap" not in local
    refused = [entry for entry in site.audit_log.iterate()
               if entry.action == "roles-change-refused"]
    assert {entry.details.split(":")[0] for entry in refused} == {"user", "group"}
    conn.close()


def test_people_without_share_permission_get_403(portal):
    testapp, _clock, _app = portal
    testapp.get(FOLDER + "@@sharing", status=403)
    sign_in(testapp, "phongvien")
    testapp.get(FOLDER + "@@sharing", status=403)


def test_a_local_reviewer_must_then_sign_in_with_two_steps(portal):
    testapp, clock, _app = portal
    sign_in(testapp, "lanhdao")
    assert whoami(testapp) == "Người dùng lanhdao"  # an agency editor: password only
    testapp.post("/@@logout", {"csrf_token": testapp.cookies["portal_csrf"]})
    sign_in_two_steps(testapp, clock, "quantri")
    page = testapp.get(FOLDER + "@@sharing")
    form = form_to(page, "sharing")
    for field in form.fields.get("roles:group:ban-tuyen-giao", []):
        if field._value == "Reviewer":
            field.checked = True
    form.submit(status=303)
    testapp.post("/@@logout", {"csrf_token": testapp.cookies["portal_csrf"]})
    assert "@@two-step-setup" in sign_in(testapp, "lanhdao").location
