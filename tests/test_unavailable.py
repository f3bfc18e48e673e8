"""A lost database server and colliding saves (O1, O2, S6): real ZEO and PostgreSQL servers are
stopped under a running application; visitors get the "temporarily unavailable" page inside
the layout within the configured wait, and an editor's typed form comes back in a Save-again
form that saves once the server is back. Colliding saves keep what the second person typed."""
import contextlib
import shutil
import time
from pathlib import Path

import pytest
import transaction
from transaction.interfaces import NoTransaction
from webtest import TestApp

from portal.content.events import ObjectModified
from portal.content.types import Folder
from portal.paths import resource_dirs
from portal.profiles import apply_profiles
from portal.security.localroles import set_local_roles
from portal.security.principals import Group, User

from .conftest import PASSWORD, T0, clocked_app, editing, make_app
from .storage_servers import PostgresCluster, ZeoServer, postgres, zeo_server  # noqa: F401

ETC = Path(__file__).resolve().parents[1] / "etc"
NEWS = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"
ZEO_WAIT = 5  # etc/zeo.conf's wait-timeout
SLACK = 3     # rendering and reconnecting on a loaded test machine


def add_editor(site, folder):
    """An editor (no two-step sign-in) with the Editor role at ``folder``."""
    site.groups.add(Group("thu-bien-tap", "Biên tập (thử)"))
    set_local_roles(folder, "group:thu-bien-tap", ("Editor",))
    user = User("bientap", "Người biên tập", "bientap@example.vn", groups=("thu-bien-tap",))
    user.set_password(PASSWORD)
    site.users.add(user)


def sign_in(app):
    page = app.get("/@@login")
    form = next(f for f in page.forms.values() if f.action.endswith("@@login"))
    form["login"], form["password"] = "bientap", PASSWORD
    form.submit(status=303)


def timed(call):
    """(result, seconds) of ``call()`` on the monotonic clock."""
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def poll(check, timeout=60.0):
    """Return once ``check()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"not true after {timeout} s")


def assert_unavailable_page(response, lang="vi"):
    """503 inside the layout: header, menu, footer, the alert, Retry-After, no-store."""
    assert response.status_int == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "no-store" in response.headers["Cache-Control"]
    html = response.html
    assert html.select_one("html")["lang"] == lang
    assert html.select_one("header.site-header") and html.select_one("footer.site-footer")
    assert html.select_one("nav#site-menu ul.menu")
    alert = html.select_one("[role=alert]").get_text(" ", strip=True)
    expected = {"vi": "Cổng thông tin tạm thời gián đoạn",
                "en": "The portal is temporarily unavailable"}[lang]
    assert expected in alert
    assert "Traceback" not in response.text


def kept_form(response):
    return response.forms["save-again-form"]


# ZEO --------------------------------------------------------------------------------------------

@pytest.fixture
def zeo_app(tmp_path, demo_var, monkeypatch):
    """(app, server): the demo site with an editor, served by a real ZEO server."""
    folder = tmp_path / "zeo"
    folder.mkdir()
    shutil.copy(demo_var / "Data.fs", folder / "Data.fs")
    shutil.copytree(demo_var / "blobs", folder / "blobs")
    with editing(folder) as site:
        add_editor(site, site["xay-dung-dang"]["cong-tac-tuyen-giao"])
    server = ZeoServer(folder).start()
    monkeypatch.setenv("PORTAL_ZEO_SERVER", server.address)
    monkeypatch.setenv("PORTAL_VAR", str(tmp_path / "var"))
    app, _clock = clocked_app(tmp_path / "var", **{"zodbconn.uri": f"zconfig://{ETC}/zeo.conf"})
    yield app, server
    server.stop()
    app.registry._zodb_databases[""].close()


def test_zeo_down_answers_503_in_the_layout_and_a_kept_save_works_once_it_is_back(zeo_app):
    app, server = zeo_app
    visitor, editor = TestApp(app), TestApp(app)
    visitor.get("/")
    sign_in(editor)
    form = editor.get(NEWS + "@@edit").forms["manage-form"]
    form["description"] = "Mô tả gõ trong lúc mất máy chủ\nhai dòng"
    form["title"] = "Tin hoạt động (đã sửa)"
    server.stop()

    # A page never loaded by this process: one wait of wait-timeout, never three (retries).
    response, seconds = timed(lambda: visitor.get(
        "/gioi-thieu/", expect_errors=True, headers={"Accept": "text/html"}))
    assert_unavailable_page(response)
    assert seconds < ZEO_WAIT + SLACK
    assert response.html.select_one("nav#site-menu").get_text(" ", strip=True).count("Giới thiệu")
    assert "save-again-form" not in response.forms  # a GET has nothing to keep
    # What this process holds in memory is still served: a page already seen, static files.
    home, seconds = timed(lambda: visitor.get("/"))
    assert home.status_int == 200 and seconds < 1
    visitor.get("/static/portal.css", status=200)
    visitor.set_cookie("portal_lang", "en")
    assert_unavailable_page(visitor.get("/gioi-thieu/", expect_errors=True), lang="en")

    # The save: refused at once while the client knows it is disconnected, nothing lost.
    response, seconds = timed(lambda: form.submit("save", expect_errors=True))
    assert_unavailable_page(response)
    assert seconds < SLACK
    again = kept_form(response)
    assert again.action == "http://localhost" + NEWS + "@@edit"
    assert again["description"].value == "Mô tả gõ trong lúc mất máy chủ\nhai dòng"
    assert again["title"].value == "Tin hoạt động (đã sửa)"
    assert again["csrf_token"].value == editor.cookies["portal_csrf"]
    labels = [label.get_text(strip=True) for label in response.html.select("#save-again-form label")]
    assert "Tiêu đề" in labels and "save" not in labels  # the button pressed goes back unseen
    assert again["save"].value == "save"
    assert "Không thể giữ lại tệp" not in response.text  # no file was chosen

    server.start()
    # Pages come from the caches either way: wait for the client to reconnect.
    poll(app.registry._zodb_databases[""].storage.is_connected)
    again.submit(status=303)
    assert editor.get(NEWS + "@@edit").forms["manage-form"]["title"].value == \
        "Tin hoạt động (đã sửa)"


# PostgreSQL -------------------------------------------------------------------------------------

@pytest.fixture
def pg_app(postgres, tmp_path, monkeypatch):  # noqa: F811
    """(app, cluster): a new site (default profile) with an editor on RelStorage over a real PostgreSQL."""
    monkeypatch.setenv("PORTAL_PG_DSN", postgres.dsn())
    monkeypatch.setenv("PORTAL_VAR", str(tmp_path / "var"))
    # The real clock: the site made at start-up is dated now, after the fixed clock's time.
    app = make_app(tmp_path / "var", **{"zodbconn.uri": f"zconfig://{ETC}/relstorage.conf"})
    db = app.registry._zodb_databases[""]
    conn = db.open()
    with transaction.manager:
        site = conn.root()["portal"]
        apply_profiles(site, app.registry, resource_dirs({})[1], ["default"], T0)
        folder = Folder(title="Thông báo")
        folder.in_menu = True
        site.add("thong-bao", folder)
        add_editor(site, folder)
    conn.close()
    yield app, postgres
    # A connection whose opening failed during the outage stays in the pool without a
    # transaction; DB.close aborts each pool connection's (explicit) manager.
    with contextlib.suppress(NoTransaction):
        db.close()


def test_postgresql_down_answers_503_at_once_and_the_kept_save_works_after(pg_app):
    app, cluster = pg_app
    editor = TestApp(app)
    sign_in(editor)
    editor.get("/")
    form = editor.get("/thong-bao/@@edit").forms["manage-form"]
    form["description"] = "Thông báo gõ khi cơ sở dữ liệu ngừng"
    cluster.stop()

    response, seconds = timed(lambda: editor.get("/", expect_errors=True))
    assert_unavailable_page(response)
    assert seconds < SLACK
    editor.get("/static/portal.css", status=200)
    response, seconds = timed(lambda: form.submit("save", expect_errors=True))
    assert_unavailable_page(response)
    assert seconds < SLACK
    again = kept_form(response)
    assert again["description"].value == "Thông báo gõ khi cơ sở dữ liệu ngừng"

    cluster.start()
    poll(lambda: editor.get("/", expect_errors=True).status_int == 200)
    again.submit(status=303)
    assert editor.get("/thong-bao/@@edit").forms["manage-form"]["description"].value == \
        "Thông báo gõ khi cơ sở dữ liệu ngừng"


def test_a_forged_post_during_an_outage_is_not_echoed(pg_app):
    app, cluster = pg_app
    stranger = TestApp(app)
    stranger.get("/")
    cluster.stop()
    response = stranger.post("/thong-bao/@@edit", {"description": "giả mạo",
                                                   "password": "bí mật"}, expect_errors=True)
    assert response.status_int == 503
    assert "giả mạo" not in response.text and "bí mật" not in response.text
    assert "save-again-form" not in response.forms


# Colliding saves ------------------------------------------------------------------------------

@pytest.fixture
def file_app(demo_copy):
    with editing(demo_copy) as site:
        add_editor(site, site["xay-dung-dang"]["cong-tac-tuyen-giao"])
    app, _clock = clocked_app(demo_copy)
    yield app
    app.registry._zodb_databases[""].close()


def test_a_save_made_from_an_older_revision_comes_back_with_what_was_typed(file_app):
    first, second = TestApp(file_app), TestApp(file_app)
    sign_in(first)
    sign_in(second)
    form = first.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
    form["title"], form["body"] = "Hội nghị đụng độ", "<p>Đoạn đầu tiên của bài.</p>"
    item = form.submit("save", status=303).location.replace("http://localhost", "")
    mine = first.get(item + "@@edit").forms["manage-form"]
    theirs = second.get(item + "@@edit").forms["manage-form"]
    paragraph = "Đoạn văn người thứ nhất viết thêm về hội nghị."
    mine["description"] = "Bản của người thứ nhất"
    mine["body"] = mine["body"].value + f"<p>{paragraph}</p>"
    mine.submit("save", status=303)
    theirs["description"] = "Bản của người thứ hai"
    theirs["title"] = "Tiêu đề của người thứ hai"
    page = theirs.submit("save", status=409)
    notice = page.html.select_one(".edit-conflict [role=alert]").get_text(" ", strip=True)
    assert "Người khác đã lưu mục này" in notice and "Tóm tắt" in notice
    assert "Người biên tập đã lưu" in notice  # who, by name
    # Both versions of each differing field, side by side, with the words that differ.
    fields = {field.select_one("h3").text: field
              for field in page.html.select(".conflict-field")}
    assert {"Tiêu đề", "Tóm tắt", "Nội dung"} <= set(fields)
    summary = fields["Tóm tắt"]
    assert summary.select_one(".conflict-saved .conflict-text").text == "Bản của người thứ nhất"
    assert summary.select_one(".conflict-typed .conflict-text").text == "Bản của người thứ hai"
    assert "nhất" in summary.select_one(".diff-text del").text
    assert "hai" in summary.select_one(".diff-text ins").text
    body = fields["Nội dung"]
    assert paragraph in body.select_one(".conflict-saved .conflict-text").text
    assert paragraph not in body.select_one(".conflict-typed .conflict-text").text
    assert paragraph.split()[0] in body.select_one(".diff-text del").text
    kept = page.forms["manage-form"]
    assert kept["description"].value == "Bản của người thứ hai"
    assert kept["title"].value == "Tiêu đề của người thứ hai"
    assert first.get(item + "@@edit").forms["manage-form"]["description"].value == \
        "Bản của người thứ nhất"
    kept.submit("save", status=303)
    assert first.get(item + "@@edit").forms["manage-form"]["description"].value == \
        "Bản của người thứ hai"


def test_a_conflict_that_outlives_the_retries_keeps_the_form(file_app):
    """Another connection commits a change to the same folder during each attempt, so each
    commit of the request raises a real ConflictError; after pyramid_retry's attempts the
    editor gets 409 with a Save-again form."""
    db = file_app.registry._zodb_databases[""]

    def concurrent_save(event):
        manager = transaction.TransactionManager()
        conn = db.open(transaction_manager=manager)
        with manager:
            folder = conn.root()["portal"]["xay-dung-dang"]["cong-tac-tuyen-giao"][
                "tin-hoat-dong"]
            folder.description = folder.description + "."
        conn.close()

    editor = TestApp(file_app)
    sign_in(editor)
    form = editor.get(NEWS + "@@edit").forms["manage-form"]
    form["description"] = "Bản lưu đụng độ"
    file_app.registry.registerHandler(concurrent_save, (ObjectModified,))
    try:
        page = form.submit("save", status=409)
    finally:
        file_app.registry.unregisterHandler(concurrent_save, (ObjectModified,))
    assert "no-store" in page.headers["Cache-Control"]
    alert = page.html.select_one("[role=alert]").get_text(" ", strip=True)
    assert "Người khác cũng đang lưu" in alert
    assert page.html.select_one("header.site-header nav#site-menu")
    again = kept_form(page)
    assert again["description"].value == "Bản lưu đụng độ"
    again.submit(status=303)
    assert editor.get(NEWS + "@@edit").forms["manage-form"]["description"].value == \
        "Bản lưu đụng độ"
