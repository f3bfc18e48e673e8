"""Sections and the trash (S8, E3): deleting, renaming or moving a section takes the board or a
Manager; what is deleted waits in a trash that only Managers see, from which they restore it to
its place, until `portal purge-trash` removes it after `portal.trash_days`."""
from datetime import timedelta

import pytest
import transaction
from pyramid.exceptions import ConfigurationError

from portal.catalog import get_catalog
from portal.cli import main
from portal.clock import FixedClock
from portal.evolve import evolve
from portal.security.audit import get_audit_log
from portal.security.roles import SECTIONS
from portal.testing import make_registry, open_db
from portal.trash import move_to_trash, trash_days

from .conftest import ROOT, T0, add_user, clocked_app, editing
from .test_login import form_to, people
from .test_publishing import editing_app

AGENCY = "/xay-dung-dang/cong-tac-tuyen-giao/"
NEWS = AGENCY + "tin-hoat-dong/"
INI = str(ROOT / "development.ini")


@pytest.fixture
def portal(demo_copy):
    """(person, clock, app): an agency's editor, a secretariat editor (Editor on the whole
    site), the board, a Manager and a member."""
    with editing(demo_copy) as site:
        add_user(site, "bientap", "Đỗ Biên Tập", groups=("ban-tuyen-giao",))
        add_user(site, "thuky", "Ngô Thư Ký", groups=("to-thu-ky",))
        add_user(site, "xuatban", "Hoàng Xuất Bản", groups=("ban-bien-tap",))
        add_user(site, "quantri", "Quản Trị", roles=("Manager",))
        add_user(site, "thanhvien", "Người Xem")
    app, clock = clocked_app(demo_copy)
    yield people(app, clock, two_step=("xuatban", "quantri")), clock, app
    app.registry._zodb_databases[""].close()


def add(browser, folder, type_name, title, **fields):
    form = browser.get(folder + f"@@add?type={type_name}").forms["manage-form"]
    form["title"] = title
    for name, value in fields.items():
        form[name] = value
    return form.submit("save", status=303).location.replace("http://localhost", "")


def delete(browser, url, status=303):
    page = browser.get(url + "@@delete", status="*")
    if page.status_int != 200:
        return page.status_int
    return form_to(page, "delete").submit(status=status).status_int


def trash_rows(manager):
    page = manager.get("/@@trash")
    return [(row.th.get_text(" ", strip=True), row.select_one(".trash-path").text)
            for row in page.html.select(".trash-form tbody tr")], page


def restore(manager, path, status=303):
    """Press Restore on the trash's row of ``path``."""
    _rows, page = trash_rows(manager)
    row = next(row for row in page.html.select(".trash-form tbody tr")
               if row.select_one(".trash-path").text == path)
    form = form_to(page, "trash")
    return form.submit("restore", value=row.select_one("button")["value"], status=status)


def catalogued(app, path):
    with editing_app(app) as site:
        _catalog, docmap = get_catalog(site)
        return docmap.docid_for_address(path.strip("/")) is not None


def test_a_deleted_item_waits_in_the_trash_and_is_restored_to_its_place(portal):
    person, _clock, app = portal
    editor, manager = person("bientap"), person("quantri")
    item = add(editor, NEWS, "NewsItem", "Bài sẽ vào thùng rác", body="<p>Nội dung.</p>")
    assert catalogued(app, item)
    assert delete(editor, item) == 303
    editor.get(item, status=404)
    assert not catalogued(app, item)
    assert "Bài sẽ vào thùng rác" not in editor.get(NEWS + "@@contents").text
    rows, page = trash_rows(manager)
    assert rows[0] == ("Bài sẽ vào thùng rác", item.rstrip("/"))
    cells = page.html.select_one(".trash-form tbody tr").select("td")
    assert cells[2].text == "bientap" and cells[3].time["datetime"].startswith("2026-11-24")
    assert "30" in page.html.select_one(".lead").text
    for who in ("anonymous", "bientap", "xuatban", "thanhvien"):
        assert person(who).get("/@@trash", status="*").status_int in (403, 404), who
    manager.get(item, status=404)  # nothing in the trash is reached by its old address

    done = restore(manager, item.rstrip("/")).follow()
    assert done.html.select_one(".form-ok a")["href"].endswith(item)
    assert trash_rows(manager)[0] == []
    assert catalogued(app, item)
    page = editor.get(item)
    assert page.html.select_one(".toolbar-state .state").text == "Bản nháp"  # its state kept
    with editing_app(app) as site:
        entries, _total = get_audit_log(site).query(action="restored")
        assert (entries[0].actor, entries[0].target) == ("quantri", item.rstrip("/"))


def test_a_published_article_comes_back_public_and_in_its_place(portal):
    person, _clock, _app = portal
    board, manager, anonymous = person("xuatban"), person("quantri"), person("anonymous")
    with editing_app(_app) as site:
        names = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"].keys()
    item = NEWS + names[-1] + "/"
    title = anonymous.get(item).html.select_one("article h1").text
    assert delete(board, item) == 303
    anonymous.get(item, status=404)
    assert title not in anonymous.get(NEWS).text
    restore(manager, item.rstrip("/"))
    assert anonymous.get(item).html.select_one("article h1").text == title
    assert title in anonymous.get(NEWS).text
    with editing_app(_app) as site:
        assert site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"].keys() == names


def test_restoring_says_why_when_the_place_is_gone_or_the_name_taken(portal):
    person, _clock, _app = portal
    editor, manager = person("bientap"), person("quantri")
    folder = add(editor, AGENCY, "Folder", "Thư mục nháp")
    item = add(editor, folder, "NewsItem", "Bài trong thư mục")
    delete(editor, item)
    delete(editor, folder)
    refused = restore(manager, item.rstrip("/"), status=409)
    assert folder.rstrip("/") in refused.html.select_one(".form-error").text
    restore(manager, folder.rstrip("/"))
    restore(manager, item.rstrip("/"))
    editor.get(item)

    delete(editor, item)
    again = add(editor, folder, "NewsItem", "Bài trong thư mục")
    assert again == item
    refused = restore(manager, item.rstrip("/"), status=409)
    assert item.rstrip("/") in refused.html.select_one(".form-error").text
    assert len(trash_rows(manager)[0]) == 1
    form = form_to(manager.get("/@@trash"), "trash")
    form.submit("restore", value="khong-co", status=404)


def test_only_the_board_and_managers_delete_rename_or_move_a_section(portal):
    person, _clock, _app = portal
    editor, secretary, board = person("bientap"), person("thuky"), person("xuatban")
    # A folder holding published items, deep in an agency's area.
    for who in (editor, secretary):
        assert delete(who, NEWS) == 403
        who.get(NEWS + "@@rename", status=403)
        labels = [a.text for a in who.get(NEWS).html.select("nav.toolbar a")]
        assert "Xóa" not in labels and "Đổi tên" not in labels
    form = form_to(editor.get(AGENCY + "@@contents"), "contents")
    for box in form.fields["names"]:
        box.checked = box._value == "tin-hoat-dong"
    assert form.submit("action", value="cut", status=403).html.select_one(".form-error")
    # A menu entry holding nothing yet: the secretariat may edit the whole site, not this.
    manager = person("quantri")
    top = add(manager, "/", "Folder", "Chuyên mục mới", in_menu=True)
    assert delete(secretary, top) == 403
    secretary.get(top + "@@rename", status=403)
    form = secretary.get(top + "@@edit").forms["manage-form"]
    form["in_menu"] = False
    form.submit("save", status=303)
    assert delete(secretary, top) == 303          # out of the menu and empty: not a section

    # The board renames and deletes a section; it goes to the trash.
    page = board.get(NEWS + "@@rename")
    form = form_to(page, "rename")
    form["name"] = "tin-cong-tac"
    board_news = form.submit(status=303).location.replace("http://localhost", "")
    assert board_news == AGENCY + "tin-cong-tac/"
    assert delete(board, board_news) == 303
    rows, _page = trash_rows(manager)
    assert rows[0][1] == board_news.rstrip("/")


def test_purge_trash_removes_what_is_older_than_the_setting(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "mat-khau-du-dai-2026")
    assert main(["init", INI, "--profile", "default"]) == 0
    registry = make_registry(T0)
    db = open_db(tmp_path / "var")
    conn = db.open()
    with transaction.manager:
        site = conn.root()["portal"]
        folder = site["gioi-thieu"]
        for name, age in (("co-cau-to-chuc", 31), ("lanh-dao-tinh-qua-cac-thoi-ky", 29)):
            move_to_trash(site, folder[name], "admin", T0 - timedelta(days=age), registry)
    conn.close()
    db.close()
    capsys.readouterr()
    assert main(["purge-trash", INI], clock=FixedClock(T0)) == 0
    out = capsys.readouterr().out
    assert "removed /gioi-thieu/co-cau-to-chuc" in out
    assert "1 item(s) deleted more than 30 days ago removed from the trash; 1 left" in out
    db = open_db(tmp_path / "var")
    conn = db.open()
    site = conn.root()["portal"]
    assert [entry.path for _key, entry in site.trash.entries()] == [
        "gioi-thieu/lanh-dao-tinh-qua-cac-thoi-ky"]
    entries, _total = site.audit_log.query(action="trash-purged")
    assert (entries[0].actor, entries[0].target) == ("cli", "/gioi-thieu/co-cau-to-chuc")
    conn.close()
    db.close()
    assert main(["purge-trash", INI], clock=FixedClock(T0 + timedelta(days=2))) == 0
    assert "1 item(s)" in capsys.readouterr().out


def test_the_retention_setting_is_checked():
    assert trash_days({}) == 30 and trash_days({"portal.trash_days": " 7 "}) == 7
    for wrong in ("0", "-3", "ba mươi", "1.5"):
        with pytest.raises(ConfigurationError, match="portal.trash_days"):
            trash_days({"portal.trash_days": wrong})


def test_evolve_step_6_makes_the_trash_and_gives_sections_their_permission(demo_copy):
    with editing(demo_copy) as site:
        site.evolve_version = 5
        del site.trash
        section = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        link = site["he-thong-van-ban"]["he-thong-van-ban-cua-trung-uong"]
        for obj in (section, link):  # the maps stored before: no `sections`, no board
            old = dict(obj._permission_map)
            old.pop(SECTIONS)
            old["edit"] = old["delete"] = ("Editor", "Manager")
            obj._permission_map = old
    db = open_db(demo_copy)
    conn = db.open()
    assert evolve(conn, make_registry(T0))[0] == 6
    conn.transaction_manager.begin()
    site = conn.root()["portal"]
    section = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
    link = site["he-thong-van-ban"]["he-thong-van-ban-cua-trung-uong"]
    assert len(site.trash) == 0
    assert section._permission_map[SECTIONS] == ("Publisher", "Manager")
    assert "Publisher" in link._permission_map["delete"]
    assert "Publisher" in section._permission_map["edit"]
    conn.close()
    db.close()


def test_the_board_deletes_a_section_and_a_manager_restores_it(portal):
    person, _clock, app = portal
    board, manager, anonymous = person("xuatban"), person("quantri"), person("anonymous")
    section = AGENCY + "trao-doi-nghiep-vu/"
    with editing_app(app) as site:
        titles = [obj.title for obj in
                  site["xay-dung-dang"]["cong-tac-tuyen-giao"]["trao-doi-nghiep-vu"].values()]
    assert all(title in anonymous.get(section).text for title in titles)
    assert delete(board, section) == 303
    anonymous.get(section, status=404)
    assert not catalogued(app, section)
    rows, _page = trash_rows(manager)
    assert rows[0][0].endswith(f": {len(titles)})")  # how many items it held
    restore(manager, section.rstrip("/"))
    assert all(title in anonymous.get(section).text for title in titles)
    assert catalogued(app, section)
