"""The parts of the workflow the two-level path does not cover (E2, E3): a Manager's placeful
policy from the browser, the internal area, copies and moves, the titles and their catalog, the
profile loader's checks, and the worklist on delete and rename."""
import pytest
from babel.messages.pofile import read_po

from portal.paths import resource_dirs
from portal.profiles import ProfileError
from portal.publishing import workflows_path
from portal.publishing.labels import TITLES
from portal.security.audit import get_audit_log
from portal.security.localroles import set_local_roles
from portal.security.roles import PERMISSIONS, ROLES
from workflow import load_file

from .conftest import ROOT, add_user, clocked_app, editing
from .test_login import form_to, people
from .test_profiles import apply, registry, site  # noqa: F401 (fixtures)

AGENCY = "/xay-dung-dang/cong-tac-tuyen-giao/"
NEWS = AGENCY + "tin-hoat-dong/"
EXCHANGE = AGENCY + "trao-doi-nghiep-vu/"
PUBLISHED = ["hoi-nghi-bao-cao-vien-tinh-uy-thang-11-thong-tin-thoi-su-va-dinh-huong-tuyen",
             "trao-giai-bao-chi-ve-xay-dung-dang-tinh-thai-nguyen-nam-2026"]
INTERNAL = "/noi-bo/"


@pytest.fixture
def portal(demo_copy):
    """(browser of a login, app): a Manager, an agency's editor, author and reviewer, and a
    member with no roles, over a private copy of the demo database."""
    with editing(demo_copy) as root:
        agency = root["xay-dung-dang"]["cong-tac-tuyen-giao"]
        add_user(root, "quantri", "Quản Trị", roles=("Manager",))
        add_user(root, "bientap", "Biên Tập")
        add_user(root, "tacgia", "Tác Giả")
        add_user(root, "duyet", "Người Duyệt")
        add_user(root, "thanhvien", "Thành Viên")
        set_local_roles(agency, "user:bientap", ("Editor",))
        set_local_roles(agency, "user:tacgia", ("Author",))
        set_local_roles(agency, "user:duyet", ("Reviewer",))
    app, clock = clocked_app(demo_copy)
    yield people(app, clock, two_step=("quantri", "duyet")), app
    app.registry._zodb_databases[""].close()


def fresh_site(app):
    """(connection, site) as the application's database holds it now."""
    conn = app.registry._zodb_databases[""].open()
    conn.sync()
    return conn, conn.root()["portal"]


def states(app, folder, names):
    conn, root = fresh_site(app)
    try:
        node = root
        for name in folder.strip("/").split("/"):
            node = node[name]
        return [(node[n].workflow_id, node[n].workflow_state) for n in names]
    finally:
        conn.close()


def set_policy_form(browser, folder, status=303, **chosen):
    """Submit ``folder``'s policy form with ``chosen`` {type: workflow id or ''}."""
    form = form_to(browser.get(folder + "@@workflow-policy"), "workflow-policy")
    for name, value in chosen.items():
        form[f"type-{name}"] = value
    return form.submit(status=status)


def change(browser, url, transition, comment="", status=303):
    form = form_to(browser.get(url), "transition")
    form["comment"] = comment
    return form.submit("transition", value=transition, status=status)


def add(browser, folder, type_name, title):
    form = browser.get(f"{folder}@@add?type={type_name}").forms["manage-form"]
    form["title"] = title
    if "body" in form.fields:
        form["body"] = f"<p>{title}: nội dung.</p>"
    return form.submit("save", status=303).location.replace("http://localhost", "")


# 1. The policy form ---------------------------------------------------------------------------

def test_a_manager_moves_a_news_section_to_the_intranet_and_back(portal):
    person, app = portal
    manager, anonymous, member = person("quantri"), person("anonymous"), person("thanhvien")
    for name in PUBLISHED:
        anonymous.get(NEWS + name + "/")
    page = set_policy_form(manager, NEWS, NewsItem="intranet").follow()
    assert page.html.select_one(".form-ok").text == \
        "Đã lưu. Số mục chuyển sang quy trình mới: 2."
    assert page.html.select_one("#type-NewsItem option[selected]")["value"] == "intranet"
    assert states(app, NEWS, PUBLISHED) == [("intranet", "internal")] * 2
    for name in PUBLISHED:
        anonymous.get(NEWS + name + "/", status=404)
        member.get(NEWS + name + "/")
    assert PUBLISHED[0] not in anonymous.get(NEWS).text
    conn, root = fresh_site(app)
    entries, total = get_audit_log(root).query(action="workflow-policy")
    assert total == 1 and entries[0].actor == "quantri"
    assert entries[0].target == NEWS.rstrip("/")
    assert entries[0].details == "NewsItem: intranet (2 items moved)"
    conn.close()
    # Back to what the agency above gives: intranet's `internal` has no counterpart in the
    # two-level workflow's remap other than draft ({private: draft, internal: draft}).
    everything = {name: "" for name in app.registry.content_types if name != "Site"}
    page = set_policy_form(manager, NEWS, **everything).follow()
    assert page.html.select_one(".form-ok").text == \
        "Đã lưu. Số mục chuyển sang quy trình mới: 2."
    assert states(app, NEWS, PUBLISHED) == [("two_level_publication", "draft")] * 2
    for name in PUBLISHED:
        anonymous.get(NEWS + name + "/", status=404)
        member.get(NEWS + name + "/", status=403)
    conn, root = fresh_site(app)
    assert get_audit_log(root).query(action="workflow-policy")[1] == 2
    assert not getattr(root["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"],
                       "workflow_policy", None)
    conn.close()
    # Saving again changes nothing and says so.
    page = set_policy_form(manager, NEWS).follow()
    assert page.html.select_one(".form-ok").text == \
        "Đã lưu. Số mục chuyển sang quy trình mới: 0."


def test_the_policy_form_shows_what_a_folder_inherits(portal):
    person, _app = portal
    page = person("quantri").get(NEWS + "@@workflow-policy")
    selected = page.html.select_one("#type-NewsItem option[selected]")
    assert selected["value"] == ""
    assert selected.text.strip() == "Như thư mục cha (Duyệt hai cấp)"
    selected = page.html.select_one("#type-Folder option[selected]")
    assert selected.text.strip() == "Như thư mục cha (Luôn công khai)"


def test_only_managers_change_a_policy(portal):
    person, app = portal
    editor = person("bientap")
    editor.get(NEWS + "@@workflow-policy", status=403)
    editor.post(NEWS + "@@workflow-policy",
                {"csrf_token": editor.cookies["portal_csrf"], "type-NewsItem": "intranet"},
                status=403)
    person("anonymous").get(NEWS + "@@workflow-policy", status=403)
    assert states(app, NEWS, PUBLISHED) == [("two_level_publication", "published")] * 2


def test_an_unknown_workflow_is_refused_and_changes_nothing(portal):
    person, app = portal
    manager = person("quantri")
    form = form_to(manager.get(NEWS + "@@workflow-policy"), "workflow-policy")
    form["type-Page"].force_value("simple_publication")
    form["type-NewsItem"].force_value("no_such_workflow")
    page = form.submit(status=400)
    assert page.html.select_one(".form-error").text == "Hãy chọn một quy trình trong danh sách."
    assert states(app, NEWS, PUBLISHED) == [("two_level_publication", "published")] * 2
    conn, root = fresh_site(app)
    assert not getattr(root["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"],
                       "workflow_policy", None)
    assert get_audit_log(root).query(action="workflow-policy")[1] == 0
    conn.close()


def test_the_policy_form_needs_its_csrf_token(portal):
    person, app = portal
    manager = person("quantri")
    manager.get(NEWS + "@@workflow-policy")
    manager.post(NEWS + "@@workflow-policy", {"type-NewsItem": "intranet"}, status=400)
    assert states(app, NEWS, PUBLISHED) == [("two_level_publication", "published")] * 2


def test_saving_the_internal_areas_form_unchanged_keeps_it_internal(portal):
    """/noi-bo/ has a policy for any type ('*'): the form shows and keeps it."""
    person, app = portal
    manager, anonymous = person("quantri"), person("anonymous")
    page = manager.get(INTERNAL + "@@workflow-policy")
    assert page.html.select_one('select[name="type-*"] option[selected]')["value"] == "intranet"
    # The rows of the types show what they follow here: the folder's own '*'.
    assert page.html.select_one("#type-Page option[selected]").text.strip() == \
        "Như thư mục cha (Khu vực nội bộ)"
    page = form_to(page, "workflow-policy").submit(status=303).follow()
    assert page.html.select_one(".form-ok").text == \
        "Đã lưu. Số mục chuyển sang quy trình mới: 0."
    anonymous.get(INTERNAL, status=404)
    conn, root = fresh_site(app)
    assert root["noi-bo"].workflow_policy == {"*": "intranet"}
    conn.close()


# 2. The internal area -------------------------------------------------------------------------

def test_the_internal_area_is_for_signed_in_people_only(portal):
    person, _app = portal
    anonymous, member = person("anonymous"), person("thanhvien")
    anonymous.get(INTERNAL, status=404)
    home = anonymous.get("/")
    for part in ("header", "nav", "main", "footer"):
        for region in home.html.select(part):
            assert "/noi-bo" not in str(region)
    assert "Khu vực nội bộ" not in home.text
    page = member.get(INTERNAL)
    assert page.html.select_one("main h1").text.strip() == "Khu vực nội bộ"


def test_a_page_in_the_internal_area_starts_private_until_shared(portal):
    person, app = portal
    manager, member, anonymous = person("quantri"), person("thanhvien"), person("anonymous")
    url = add(manager, INTERNAL, "Page", "Thông báo nội bộ tháng 12")
    conn, root = fresh_site(app)
    page = root["noi-bo"]["thong-bao-noi-bo-thang-12"]
    assert (page.workflow_id, page.workflow_state) == ("intranet", "private")
    conn.close()
    member.get(url, status=403)
    assert "Thông báo nội bộ tháng 12" not in member.get(INTERNAL).text
    change(manager, url, "share")
    member.get(url)
    assert "Thông báo nội bộ tháng 12" in member.get(INTERNAL).text
    anonymous.get(url, status=404)


# 3. Copies and moves --------------------------------------------------------------------------

def select(form, *names):
    for box in form.fields["names"]:
        box.checked = box._value in names


def clip(browser, folder, op, name):
    form = form_to(browser.get(folder + "@@contents"), "contents")
    select(form, name)
    form.submit("action", value=op, status=303)


def test_a_copy_of_a_published_item_starts_as_a_fresh_draft(portal):
    person, app = portal
    editor, anonymous = person("bientap"), person("anonymous")
    clip(editor, NEWS, "copy", PUBLISHED[0])
    form_to(editor.get(EXCHANGE + "@@contents"), "paste").submit(status=303)
    url = EXCHANGE + PUBLISHED[0] + "/"
    editor.get(url)
    anonymous.get(url, status=404)
    anonymous.get(NEWS + PUBLISHED[0] + "/")  # the original stays published
    conn, root = fresh_site(app)
    copy = root["xay-dung-dang"]["cong-tac-tuyen-giao"]["trao-doi-nghiep-vu"][PUBLISHED[0]]
    assert (copy.workflow_id, copy.workflow_state) == ("two_level_publication", "draft")
    assert len(copy.workflow_history) == 1
    assert copy.workflow_history[0]["transition"] is None
    assert copy.workflow_history[0]["actor"] == "bientap"
    conn.close()
    titles = [a.text for a in editor.get("/@@dashboard").html.select("main a")]
    assert any("Hội nghị báo cáo viên" in title for title in titles)


def test_a_moved_published_item_stays_published(portal):
    person, app = portal
    editor, anonymous = person("bientap"), person("anonymous")
    clip(editor, NEWS, "cut", PUBLISHED[1])
    form_to(editor.get(EXCHANGE + "@@contents"), "paste").submit(status=303)
    anonymous.get(NEWS + PUBLISHED[1] + "/", status=404)
    anonymous.get(EXCHANGE + PUBLISHED[1] + "/")
    assert states(app, EXCHANGE, PUBLISHED[1:]) == [("two_level_publication", "published")]


# 4. Titles and their translations -------------------------------------------------------------

def profile_titles():
    workflows = load_file(workflows_path({}), ROLES, PERMISSIONS)
    for wf in workflows.values():
        yield wf.title
        for part in (*wf.states.values(), *wf.transitions.values()):
            yield part.title


def test_every_workflow_title_is_listed_and_translated():
    assert workflows_path({}) == resource_dirs({})[1] / "default" / "workflows.yaml"
    titles = set(profile_titles())
    assert titles - set(TITLES) == set()
    po = ROOT / "src" / "portal" / "locale" / "vi" / "LC_MESSAGES" / "portal.po"
    with open(po, "rb") as f:
        catalog = read_po(f, locale="vi")
    untranslated = [t for t in sorted(titles) if not (catalog.get(t) and catalog.get(t).string)]
    assert untranslated == []


# 5. The profile loader's checks ---------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    ("title: t\nworkflow_policy: {Nonsense: one_state}\ncontent: []",
     r"bad: workflow_policy: unknown type 'Nonsense'"),
    ("title: t\nworkflow_policy: {NewsItem: nowhere}\ncontent: []",
     r"bad: workflow_policy: unknown workflow 'nowhere'"),
    ("title: t\ncontent: [{title: F, workflow_policy: {Gadget: intranet}}]",
     r"bad: node 'F': workflow_policy: unknown type 'Gadget'"),
    ("title: t\ncontent: [{title: F, workflow_policy: {'*': nowhere}}]",
     r"bad: node 'F': workflow_policy: unknown workflow 'nowhere'"),
    ("title: t\nworkflow_policy: {'*': simple_publication}\n"
     + "content: [{title: P, type: Page, state: shared}]",
     r"bad: node 'P': workflow simple_publication has no state 'shared'"),
])
def test_the_loader_refuses_bad_policies_and_states(site, registry, tmp_path, content,  # noqa: F811
                                                    message):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "profile.yaml").write_text(content)
    with pytest.raises(ProfileError, match=message):
        apply(site, registry, ["bad"], tmp_path)


# 6. The worklist on delete and rename ---------------------------------------------------------

def test_a_deleted_draft_leaves_the_authors_dashboard(portal):
    person, _app = portal
    author = person("bientap")  # an agency's editor may delete their draft (and its folder's)
    url = add(author, NEWS, "NewsItem", "Bản nháp sẽ xóa")
    assert "Bản nháp sẽ xóa" in author.get("/@@dashboard").text
    form_to(author.get(url + "@@delete"), "delete").submit(status=303)
    assert "Bản nháp sẽ xóa" not in author.get("/@@dashboard").text


def test_a_renamed_submitted_item_stays_in_the_review_queue(portal):
    person, _app = portal
    author, reviewer, editor = person("tacgia"), person("duyet"), person("bientap")
    url = add(author, NEWS, "NewsItem", "Bài chờ duyệt đổi tên")
    change(author, url, "submit")
    queue = reviewer.get("/@@review-queue")
    assert url in [a["href"].replace("http://localhost", "") for a in queue.html.select("main a")]
    form = form_to(editor.get(url + "@@rename"), "rename")
    form["name"] = "bai-da-doi-ten"
    form.submit(status=303)
    hrefs = [a["href"].replace("http://localhost", "")
             for a in reviewer.get("/@@review-queue").html.select("main a")]
    assert NEWS + "bai-da-doi-ten/" in hrefs and url not in hrefs
    change(reviewer, NEWS + "bai-da-doi-ten/", "approve")
