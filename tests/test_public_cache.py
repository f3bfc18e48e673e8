"""The public fragments (menus, home page blocks, kept search answers) are dropped only when
what anonymous visitors see changes (S8, P1): adding, saving and deleting a draft keep them;
publishing, and editing or deleting what is published, drop them. The counter they are keyed
on is in the database, so every process serving it sees the change."""
import pytest

from portal.security.localroles import set_local_roles

from .conftest import add_user, clocked_app, editing
from .test_login import people
from .test_publishing import ITEM, NEWS, change, write


@pytest.fixture
def portal(demo_copy):
    with editing(demo_copy) as site:
        add_user(site, "bientap", "Đỗ Biên Tập", groups=("ban-tuyen-giao",))
        add_user(site, "duyet", "Lê Thị Duyệt")
        add_user(site, "xuatban", "Hoàng Xuất Bản", groups=("ban-bien-tap",))
        set_local_roles(site["xay-dung-dang"]["cong-tac-tuyen-giao"], "user:duyet",
                        ("Reviewer",))
    app, clock = clocked_app(demo_copy)
    yield people(app, clock, two_step=("duyet", "xuatban")), app
    app.registry._zodb_databases[""].close()


def version(app):
    """The site's change counter as committed (what every process keys its cache on)."""
    conn = app.registry._zodb_databases[""].open()
    try:
        return conn.root()["portal"].changes()
    finally:
        conn.close()


def edit(browser, url, **fields):
    form = browser.get(url + "@@edit").forms["manage-form"]
    for name, value in fields.items():
        form[name] = value
    form.submit("save", status=303)


def test_drafts_keep_the_public_fragments_and_publishing_drops_them(portal):
    person, app = portal
    editor, anonymous = person("bientap"), person("anonymous")
    anonymous.get("/")
    before = version(app)
    write(editor)
    edit(editor, ITEM, description="Bản nháp sửa lần thứ hai.")
    change(editor, "submit")
    assert version(app) == before  # nothing anonymous visitors see has changed
    change(person("duyet"), "approve")
    change(person("xuatban"), "publish")
    published = version(app)
    assert published > before
    assert "Hội nghị học tập Nghị quyết" in anonymous.get(NEWS).text
    # Editing what is published goes through a working copy: the public text stays.
    edit(editor, ITEM, description="Bản sửa chờ duyệt.")
    assert version(app) == published
    # A draft deleted keeps them too.
    write_other = editor.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
    write_other["title"] = "Bản nháp sẽ xóa"
    draft = write_other.submit("save", status=303).location.replace("http://localhost", "")
    editor.post(draft + "@@delete", {"csrf_token": editor.cookies["portal_csrf"]}, status=303)
    assert version(app) == published
