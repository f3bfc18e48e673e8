"""The permission matrix: personas × views × objects, each cell's status declared (E1, S8).

The views are read from Pyramid's registry: a view without a declared permission, or missing
from VIEWS below, fails the test. Expected access is declared per persona and place, not
computed by the code under test.
"""
from urllib.parse import urlsplit

import pytest
import transaction
from pyramid.security import NO_PERMISSION_REQUIRED
from webtest import TestApp

from portal import catalog
from portal.security.localroles import get_local_roles, set_local_roles

from .conftest import add_user, clocked_app, editing
from .test_login import enrol, sign_in

AGENCY_A = "xay-dung-dang/cong-tac-tuyen-giao"
AGENCY_B = "xay-dung-dang/cong-tac-to-chuc"
DEFAULT_PAGE_FOLDER = "gioi-thieu/co-cau-to-chuc/ban-thuong-vu-tinh-uy"

# Every view of the portal: (view name, context class name) → permission. A new view must be
# added here (and so thought about) or this test fails.
VIEWS = {
    ("", "Site"): "view", ("", "Folder"): "view", ("", "Page"): "view",
    ("", "NewsItem"): "view", ("", "Link"): "view", ("", "File"): "view",
    ("", "Image"): "view",
    ("download", "File"): "view", ("image", "Content"): "view",
    ("set-language", "None"): "view",
    ("login", "Site"): "view", ("login-code", "Site"): "view", ("logout", "Site"): "view",
    ("bad-request", "Site"): "view",
    ("two-step-setup", "Site"): "view",
    ("forgot-password", "Site"): "view", ("reset-password", "Site"): "view",
    ("sharing", "Content"): "share",
    ("audit-log", "Site"): "manage", ("audit-log.csv", "Site"): "manage",
    ("users", "Site"): "manage", ("user-add", "Site"): "manage",
    ("user-edit", "Site"): "manage", ("groups", "Site"): "manage",
    ("group-add", "Site"): "manage", ("group-edit", "Site"): "manage",
    ("add", "Folder"): "add", ("paste", "Folder"): "add", ("edit", "Content"): "edit",
    ("rename", "Content"): "edit", ("delete", "Content"): "delete",
    ("contents", "Folder"): "contents", ("delete-items", "Folder"): "contents",
    ("history", "Content"): "edit", ("revert", "Content"): "edit",
    ("transition", "Content"): "view", ("review-queue", "Folder"): "view",
    ("dashboard", "Folder"): "view", ("workflow-policy", "Folder"): "manage",
    ("discard", "Content"): "edit",
    ("search", "Site"): "view", ("search-suggest", "Site"): "view",
    ("rss.xml", "Folder"): "view", ("sitemap.xml", "Site"): "view",
    ("robots.txt", "Site"): "view", ("trash", "Site"): "manage",
}
# Views that need a signed-in person on top of their permission: anonymous visitors are sent to
# sign in (the workflow's own guards decide the rest).
SIGNED_IN_ONLY = {"transition", "review-queue", "dashboard"}
ALL = {"view", "add", "edit", "delete", "contents", "share", "manage"}
# persona → place → permissions held there ("*" everywhere, "A" inside agency A's subtree).
EXPECTED = {
    "anonymous": {"*": {"view"}},
    "member": {"*": {"view"}},
    "author_A": {"*": {"view"}, "A": {"view", "add", "contents"}},
    "editor_A": {"*": {"view"}, "A": {"view", "add", "edit", "delete", "contents"}},
    "reviewer": {"*": {"view", "contents"}},
    "publisher": {"*": {"view", "contents", "share"}},
    "manager": {"*": ALL},
    # A Publisher who gave the password but not the second step yet: no session at all.
    "pending": {"*": {"view"}},
    # A member made Publisher while signed in with a password alone: the role waits for the
    # second step, so the session acts as the member's.
    "promoted": {"*": {"view"}},
}
# Personas that act as anonymous visitors (no session).
UNSIGNED = {"anonymous", "pending"}
# Who may view a private object (its own map leaves out Anonymous and Authenticated): declared
# per place, for each persona.
PRIVATE_VIEWERS = {"A": {"author_A", "editor_A", "reviewer", "publisher", "manager"},
                   "site": {"reviewer", "publisher", "manager"}}
PRIVATE_MAP = {
    "view": ("Author", "Editor", "Reviewer", "Publisher", "Manager", "Owner"),
    "add": ("Author", "Editor", "Manager"), "edit": ("Editor", "Manager", "Owner"),
    "delete": ("Editor", "Manager"),
    "contents": ("Author", "Editor", "Reviewer", "Publisher", "Manager", "Owner"),
    "share": ("Manager", "Publisher"), "manage": ("Manager",),
}
PERSONAS = {  # login, global roles, groups, two steps
    "member": ("thanhvien", (), (), False),
    "author_A": ("tacgia", (), (), False),
    "editor_A": ("bientap", (), ("ban-tuyen-giao",), False),
    "reviewer": ("kiemduyet", ("Reviewer",), (), True),
    "publisher": ("xuatban", ("Publisher",), (), True),
    "manager": ("quantri", ("Manager",), (), True),
    "pending": ("xuatban2", ("Publisher",), (), False),
    "promoted": ("thanhvien2", (), (), False),
}
# Roles given once the personas are signed in.
PROMOTED = {"thanhvien2": ("Publisher",)}


def post_only_views(registry):
    """(name, context name) of the views that answer POST only."""
    found = set()
    for view in registry.introspector.get_category("views"):
        intr = view["introspectable"]
        methods = intr["request_methods"]
        methods = (methods,) if isinstance(methods, str) else tuple(methods or ())
        if methods and "GET" not in methods:
            found.add((intr["name"], getattr(intr["context"], "__name__", str(intr["context"]))))
    return found


# Nobody may delete or rename the site itself, whatever their permissions.
NEVER = {("delete", "Site"), ("rename", "Site")}


def registered_views(registry):
    """{(name, context name): [permissions]} of every non-exception view."""
    found = {}
    for view in registry.introspector.get_category("views"):
        intr = view["introspectable"]
        if intr["exception_only"] or intr["context"] is None and not intr["name"]:
            continue
        context = getattr(intr["context"], "__name__", str(intr["context"]))
        if "Exception" in context or "HTTP" in context:
            continue
        perms = [r["value"] for r in view["related"] if r.category_name == "permissions"]
        found[(intr["name"], context)] = perms
    return found


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, demo_var):
    import shutil
    var = tmp_path_factory.mktemp("matrix") / "var"
    shutil.copytree(demo_var, var)
    with editing(var) as site:
        for login, roles, groups, _two in PERSONAS.values():
            add_user(site, login, roles=roles, groups=groups)
        set_local_roles(site[AGENCY_A.split("/")[0]][AGENCY_A.split("/")[1]], "user:tacgia",
                        ("Author",))
        for _type, path, place in private_objects(site):
            obj = site
            for name in path.split("/"):
                obj = obj[name]
            obj._permission_map = PRIVATE_MAP  # what the workflow does for a draft
            catalog.index(obj)  # as the workflow's events do
        catalog.index_tree(site)  # the local role above, as the sharing form's event does
    app, clock = clocked_app(var, seed=11)
    apps = {"anonymous": TestApp(app)}
    for persona, (login, _roles, _groups, two_steps) in PERSONAS.items():
        apps[persona] = TestApp(app)
        sign_in(apps[persona], login)
        if two_steps:
            enrol(apps[persona], clock)
    conn = app.registry._zodb_databases[""].open()
    with transaction.manager:
        for login, roles in PROMOTED.items():
            conn.root()["portal"].users.get(login).roles = roles
    conn.close()
    yield app, apps
    app.registry._zodb_databases[""].close()


def _folder(site, path):
    folder = site
    for name in path.split("/"):
        folder = folder[name]
    return folder


def _nth(site, path, type_name, n=0):
    folder = _folder(site, path)
    names = [name for name in folder if folder[name].type_name == type_name]
    return f"{path}/{names[n]}"


def private_objects(site):
    """(class name, path, place) of the objects made private for the matrix."""
    return [("NewsItem", _nth(site, f"{AGENCY_A}/tin-hoat-dong", "NewsItem", 1), "A-private"),
            ("File", _nth(site, "he-thong-van-ban/van-ban-cua-tinh-uy/nghi-quyet", "File", 1),
             "site-private"),
            # A folder's default page: the folder's URL must not show it once it is private.
            ("Page", f"{DEFAULT_PAGE_FOLDER}/{_folder(site, DEFAULT_PAGE_FOLDER).default_page}",
             "site-private")]


def objects(app):
    """(class name, path, place) of the objects each view is tried on."""
    conn = app.registry._zodb_databases[""].open()
    site = conn.root()["portal"]

    def first(path, type_name):
        return _nth(site, path, type_name)

    found = [("Site", "", "site")]
    for place, base in (("A", AGENCY_A), ("B", AGENCY_B)):
        found += [("Folder", f"{base}/tin-hoat-dong", place),
                  ("NewsItem", first(f"{base}/tin-hoat-dong", "NewsItem"), place)]
    found += [("Page", "gioi-thieu/co-cau-to-chuc/thuong-truc-tinh-uy/gioi-thieu", "site"),
              ("Link", "he-thong-van-ban/he-thong-van-ban-cua-trung-uong", "site"),
              ("File", first("he-thong-van-ban/van-ban-cua-tinh-uy/nghi-quyet", "File"), "site")]
    found += private_objects(site)
    conn.close()
    return found


def test_every_view_declares_a_permission_and_is_in_the_matrix(matrix):
    app, _apps = matrix
    views = registered_views(app.registry)
    missing = {key: perms for key, perms in views.items()
               if not perms or NO_PERMISSION_REQUIRED in perms}
    missing.pop(("", "None"), None)  # the static view: public files, no content
    assert missing == {}, "views without a permission"
    listed = {key for key in views if key != ("", "None")}
    assert listed == set(VIEWS), "views missing from (or stale in) VIEWS"
    for key, perms in views.items():
        if key in VIEWS:
            assert perms == [VIEWS[key]], key


# What the workflows add on published articles, pages and documents and on folders and links
# (profiles/default/workflows.yaml): the editorial board corrects, renames and deletes them
# anywhere.
BOARD_TYPES = {"NewsItem", "Page", "File", "Folder", "Link"}
BOARD_EXTRA = {"publisher": {"edit", "delete"}}
# Deleting or renaming a section takes the `sections` permission besides (the board and
# Managers): every folder of the matrix is one, as each holds published items.
SECTION_VIEWS = {"delete", "rename"}
SECTION_HOLDERS = {"publisher", "manager"}


def allowed(persona, place, permission, type_name=None, view=""):
    base = place.removesuffix("-private")
    if place != base and permission == "view":
        return persona in PRIVATE_VIEWERS[base]
    if type_name == "Folder" and view in SECTION_VIEWS and persona not in SECTION_HOLDERS:
        return False
    table = EXPECTED[persona]
    if place == base and type_name in BOARD_TYPES and \
            permission in BOARD_EXTRA.get(persona, ()):
        return True
    return permission in table["*"] or permission in table.get(base, set())


SUBCLASSES = {"Content": {"Site", "Folder", "Page", "NewsItem", "Link", "File", "Image"},
              "Folder": {"Folder", "Site"}, "None": {"Site"}}


def test_each_persona_reaches_exactly_what_the_matrix_says(matrix):
    app, apps = matrix
    post_only = post_only_views(app.registry)
    for testapp in apps.values():
        testapp.get("/@@login")  # every persona holds a CSRF cookie
    failures = []
    for (name, context), permission in sorted(VIEWS.items()):
        types = SUBCLASSES.get(context, {context})
        for type_name, path, place in objects(app):
            if type_name not in types:
                continue
            url = f"/{path}/" if path else "/"
            url += f"@@{name}" if name else ""
            for persona, testapp in apps.items():
                if (name, context) in post_only:
                    response = testapp.post(url, {"csrf_token": testapp.cookies["portal_csrf"]},
                                            expect_errors=True)
                else:
                    response = testapp.get(url, expect_errors=True)
                # Sent to sign in, or to the second step first (a role that waits for it).
                login_redirect = (response.status_int in (302, 303)
                                  and urlsplit(response.location).path.rsplit("/", 1)[-1]
                                  in ("@@login", "@@login-code", "@@two-step-setup")
                                  and name not in ("login-code", "two-step-setup"))
                # Anonymous visitors get 404 for what they may not view (its existence is
                # not confirmed), 403 for an action on what they may view.
                hidden = persona in UNSIGNED and response.status_int == 404 and \
                    not allowed(persona, place, "view", type_name)
                denied = response.status_int == 403 or login_redirect or hidden
                expected = allowed(persona, place, permission, type_name, name) and (name, type_name) not in NEVER \
                    and not (persona in UNSIGNED and name in SIGNED_IN_ONLY)
                if denied == expected:
                    failures.append(f"{persona:10} {url} → {response.status} "
                                    f"(expected {'allowed' if expected else 'denied'})")
    assert failures == [], "\n".join(failures)


def test_private_objects_stay_out_of_every_anonymous_listing(matrix):
    app, apps = matrix
    conn = app.registry._zodb_databases[""].open()
    site = conn.root()["portal"]
    hidden = [(path.rsplit("/", 1)[0], site_title(site, path))
              for _type, path, _place in private_objects(site)]
    conn.close()
    anonymous = apps["anonymous"]
    pages = ["/"] + [f"/{folder}/" for folder, _title in hidden]
    for page in pages:
        text = anonymous.get(page).text
        for _where, title in hidden:
            assert title not in text, (page, title)
    editor = apps["editor_A"]
    assert hidden[0][1] in editor.get(f"/{hidden[0][0]}/").text


def site_title(site, path):
    obj = site
    for name in path.split("/"):
        obj = obj[name]
    return obj.title


def test_nobody_grants_themself_a_role_anywhere(matrix):
    """Each persona forges the sharing form of agency A and of the site, giving themself every
    role: nothing changes, whoever tries (S1)."""
    app, apps = matrix
    roles = ("Author", "Editor", "Reviewer", "Publisher", "Secretary", "Manager")

    def grants():
        conn = app.registry._zodb_databases[""].open()
        site = conn.root()["portal"]
        found = {path: dict(get_local_roles(_folder(site, path) if path else site))
                 for path in (AGENCY_A, "")}
        conn.close()
        return found

    before = grants()
    for persona, testapp in apps.items():
        if persona == "anonymous":
            continue
        principal = f"user:{PERSONAS[persona][0]}"
        for path in (AGENCY_A, ""):
            url = f"/{path}/@@sharing" if path else "/@@sharing"
            fields = [("csrf_token", testapp.cookies.get("portal_csrf", "")),
                      ("principal", principal)]
            fields += [(f"roles:{principal}", role) for role in roles]
            testapp.post(url, fields, expect_errors=True)
    assert grants() == before
