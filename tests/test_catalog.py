"""The catalog (issue 6: P5, S8): indexed on every change, queried only through who may view."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
import transaction
from pyramid.request import Request
from pyramid.scripting import prepare
from repoze.catalog.query import Eq

from portal.catalog import get_catalog
from portal.catalog.search import resolve, search
from portal.catalog.textquery import text_query
from portal.cli import main
from portal.content.events import LocalRolesModified, ObjectModified
from portal.content.types import Page
from portal.security.sharing import change_local_roles

from .conftest import ROOT, add_user, clocked_app, editing
from .test_login import form_to, sign_in
from .test_publishing import TITLE

NEWS = "xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong"


@pytest.fixture
def portal(demo_copy):
    with editing(demo_copy) as site:
        add_user(site, "bientap", "Biên Tập", groups=("ban-tuyen-giao",))
        add_user(site, "thanhvien", "Thành Viên")
        add_user(site, "khach", "Khách")
    app, clock = clocked_app(demo_copy)
    yield app, clock, demo_copy
    app.registry._zodb_databases[""].close()


class Visitor:
    """Queries through the application as a browser with ``cookies`` would (real security)."""

    def __init__(self, app, browser=None):
        self.app = app
        self.cookie = "; ".join(f"{k}={v}" for k, v in (browser.cookies if browser else {})
                                .items())

    def paths(self, query=None, **kw):
        request = Request.blank("/", headers={"Cookie": self.cookie} if self.cookie else {})
        env = prepare(request=request, registry=self.app.registry)
        conn = self.app.registry._zodb_databases[""].open()
        try:
            conn.sync()
            request.root = conn.root()["portal"]
            _count, docids = search(request, query, **kw)
            found = []
            for docid in docids:
                obj = resolve(request, docid)
                found.append("/".join(n.__name__ for n in _lineage(obj)))
            return found
        finally:
            transaction.abort()
            conn.close()
            env["closer"]()


def _lineage(obj):
    chain = []
    while obj is not None and obj.__parent__ is not None:
        chain.append(obj)
        obj = obj.__parent__
    return reversed(chain)


@contextmanager
def app_site(app):
    """The site through the application's own database, committed on exit."""
    tm = transaction.TransactionManager()
    conn = app.registry._zodb_databases[""].open(transaction_manager=tm)
    try:
        with tm:
            yield conn.root()["portal"]
    finally:
        conn.close()


def browser(app, login):
    from webtest import TestApp
    person = TestApp(app)
    sign_in(person, login)
    return person


def test_the_demo_database_is_catalogued(portal):
    app, _clock, _var = portal
    with app_site(app) as site:
        catalog, docmap = get_catalog(site)
        assert len(catalog["type"].applyEq("NewsItem")) == 105
        docid = docmap.docid_for_address(NEWS)
        assert docid in catalog["type"].applyEq("Folder")
    anonymous = Visitor(app)
    news = anonymous.paths(Eq("type", "NewsItem"))
    assert len(news) == 105
    assert "noi-bo" not in anonymous.paths(Eq("type", "Folder"))


def test_drafts_are_found_only_by_those_who_may_see_them(portal):
    app, _clock, _var = portal
    editor = browser(app, "bientap")
    form = editor.get(f"/{NEWS}/@@add?type=NewsItem").forms["manage-form"]
    form["title"], form["body"] = TITLE, "<p>Nội dung.</p>"
    url = form.submit("save", status=303).location
    path = url.split("localhost/", 1)[1].rstrip("/")
    query = Eq("path", path)
    assert Visitor(app, editor).paths(query) == [path]
    assert Visitor(app).paths(query) == []
    assert Visitor(app, browser(app, "thanhvien")).paths(query) == []
    # Renamed: found under its new path only; deleted: gone.
    form = form_to(editor.get(url + "@@rename"), "rename")
    form["name"] = "ten-moi"
    form.submit(status=303)
    renamed = f"{NEWS}/ten-moi"
    assert Visitor(app, editor).paths(Eq("state", "draft")) == [renamed]
    form_to(editor.get(f"/{renamed}/@@delete"), "delete").submit(status=303)
    assert Visitor(app, editor).paths(Eq("state", "draft")) == []


def test_a_local_grant_and_its_revocation_reach_the_whole_subtree(portal):
    app, _clock, _var = portal
    with app_site(app) as site:
        inside = site["noi-bo"]
        for name in ("mot", "hai"):
            inside.add(name, Page(f"Trang nội bộ {name}"), registry=app.registry)
    guest = browser(app, "khach")
    member_query = Eq("parents", "noi-bo")
    # Pages start private in the intranet: nobody but staff sees them yet.
    assert Visitor(app, guest).paths(member_query) == []
    with app_site(app) as site:
        change_local_roles(site, site["noi-bo"], "user:khach", {"Editor"})
        app.registry.notify(LocalRolesModified(site["noi-bo"], site, "noi-bo"))
    assert sorted(Visitor(app, guest).paths(member_query)) == ["noi-bo/hai", "noi-bo/mot"]
    with app_site(app) as site:
        change_local_roles(site, site["noi-bo"], "user:khach", set())
        app.registry.notify(LocalRolesModified(site["noi-bo"], site, "noi-bo"))
    assert Visitor(app, guest).paths(member_query) == []


def test_scheduled_items_appear_in_searches_at_their_date_without_a_write(portal):
    app, clock, _var = portal
    with app_site(app) as site:
        item = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        name = next(n for n in item if item[n].type_name == "NewsItem")
        obj = item[name]
        obj.set_effective(clock.now() + timedelta(days=1))
        app.registry.notify(ObjectModified(obj, item, name))
    path = f"{NEWS}/{name}"
    db = app.registry._zodb_databases[""]
    before = db.lastTransaction()
    assert Visitor(app).paths(Eq("path", path)) == []
    clock.advance(timedelta(days=1, minutes=1))
    assert Visitor(app).paths(Eq("path", path)) == [path]
    assert db.lastTransaction() == before


def test_portal_reindex_rebuilds_with_a_progress_bar(portal, capsys, monkeypatch, tmp_path):
    app, _clock, var = portal
    app.registry._zodb_databases[""].close()
    with editing(var) as site:
        del site.catalog
    ini = tmp_path / "portal.ini"
    ini.write_text("[app:main]\nuse = egg:portal\nportal.secret = s\n"
                   "portal.public_url = http://127.0.0.1:6543\n"
                   f"zodbconn.uri = zconfig://{ROOT}/etc/filestorage.conf\n"
                   "mail.queue_path = %(PORTAL_VAR)s/mail-queue\n")
    monkeypatch.setenv("PORTAL_VAR", str(var))
    assert main(["reindex", str(ini)]) == 0
    out, err = capsys.readouterr()
    assert "objects indexed" in out and "(100%)" in err and "[#####" in err
    with editing(var) as site:
        catalog, _docmap = get_catalog(site)
        assert len(catalog["type"].applyEq("NewsItem")) == 105


def titles(app, user_text, browser_=None):
    """Titles found for what a visitor types, best first."""
    visitor = Visitor(app, browser_)
    query = text_query("text", user_text)
    return [path.rsplit("/", 1)[-1] for path in visitor.paths(query, sort_index="text")]


def test_a_citizen_typing_without_accents_finds_the_congress_resolution_first(portal):
    app, _clock, _var = portal
    found = titles(app, "nghi quyet dai hoi")
    assert found[0].startswith("dua-nghi-quyet-dai-hoi-dang-bo-tinh-lan-thu-xxi")
    assert titles(app, "Nghị quyết Đại hội")[0] == found[0]
    assert titles(app, "NGHI QUYET DAI HOI")[0] == found[0]


def test_the_text_index_follows_edits_and_never_finds_drafts(portal):
    app, _clock, _var = portal
    editor = browser(app, "bientap")
    form = editor.get(f"/{NEWS}/@@add?type=NewsItem").forms["manage-form"]
    form["title"], form["body"] = "Hội thảo chè Tân Cương", "<p>Vùng chè đặc sản.</p>"
    form.submit("save", status=303)
    assert "hoi-thao-che-tan-cuong" not in titles(app, "hoi thao che tan cuong")  # a draft
    assert titles(app, "hoi thao che tan cuong", editor)[0] == "hoi-thao-che-tan-cuong"



def test_a_grant_above_a_blocked_folder_does_not_reach_below_it(portal):
    from portal.content.types import Folder
    from portal.security.localroles import set_blocked
    app, _clock, _var = portal
    with app_site(app) as site:
        inside = site["noi-bo"]
        inside.add("mo", Page("Trang nội bộ mở"), registry=app.registry)
        closed = inside.add("kin", Folder("Hồ sơ kín"), registry=app.registry)
        closed.add("trang", Page("Trang kín"), registry=app.registry)
        set_blocked(closed, True)
        app.registry.notify(LocalRolesModified(closed, inside, "kin"))
        change_local_roles(site, inside, "user:khach", {"Editor"})
        app.registry.notify(LocalRolesModified(inside, site, "noi-bo"))
    guest = browser(app, "khach")
    found = Visitor(app, guest).paths(Eq("type", "Page") & Eq("parents", "noi-bo"))
    assert "noi-bo/mo" in found
    assert "noi-bo/kin/trang" not in found
    # The search page agrees: the blocked page's title is never offered.
    assert "Trang kín" not in guest.get("/search", {"q": "trang kin"}).text
