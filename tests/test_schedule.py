"""Scheduled publication and expiry (issue 5): items appear and disappear by themselves when
their dates pass, everywhere anonymous visitors look, without any request writing."""
from datetime import UTC, datetime, timedelta

import pytest
import transaction
from webtest import TestApp

from portal import catalog, navigation
from portal.content.events import ObjectModified, ObjectRemoved
from portal.content.schedule import Schedule, get_schedule, object_modified, object_removed, stamp
from portal.content.types import Folder, NewsItem, Page
from portal.security.policy import INACTIVE_VIEWERS, anonymous_may_view, inactive_view
from portal.security.roles import DEFAULT_PERMISSION_MAP, VIEW

from .conftest import PASSWORD, T0, add_user, clocked_app, editing

AGENCY_NEWS = "xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong"
NEWS = "tin-tuc-su-kien/trong-tinh"
SCHEDULED = "Hội nghị sơ kết công tác tuyên giáo sắp tới"
EXPIRING = "Thông báo lịch tiếp công dân tuần này"
ALONE = "Lịch làm việc của Thường trực Tỉnh ủy"
PUBLISH_AT = T0 + timedelta(days=1)
EXPIRE_AT = T0 + timedelta(days=2)


def find(site, path):
    obj = site
    for name in path.split("/"):
        obj = obj[name]
    return obj


def put(folder, name, obj, effective, expires=None):
    """Add ``obj`` as the application's own code does, but without the app's subscribers
    (the workflow must not make it a draft): the item is public at its dates."""
    obj.expires = expires
    folder.add(name, obj, send_events=False)
    obj.set_dates(T0 - timedelta(days=3), effective)
    catalog.index(obj)
    return obj


@pytest.fixture
def scheduled(demo_copy):
    """(app, clock, storage) over a demo site holding a scheduled article of an agency, an
    expiring news item, and a section whose only item is scheduled; and the agency's editor."""
    with editing(demo_copy) as site:
        add_user(site, "bientap", groups=("ban-tuyen-giao",))
        add_user(site, "thanhvien")
        put(find(site, AGENCY_NEWS), "hoi-nghi-sap-toi", NewsItem(SCHEDULED), PUBLISH_AT)
        put(find(site, NEWS), "lich-tiep-cong-dan", NewsItem(EXPIRING),
            T0 - timedelta(hours=1), EXPIRE_AT)
        section = Folder("Lịch công tác")
        site.add("lich-cong-tac", section, send_events=False)
        section.set_dates(T0 - timedelta(days=3), T0 - timedelta(days=3))
        catalog.index(section)
        put(section, "lich-lam-viec", Page(ALONE), PUBLISH_AT)
        site.changes.change(1)
    navigation._cache.clear()
    app, clock = clocked_app(demo_copy)
    storage = app.registry._zodb_databases[""].storage
    yield app, clock, storage
    app.registry._zodb_databases[""].close()


def menu_text(page):
    return page.html.select_one("#site-menu").get_text(" ", strip=True)


def sign_in(app, login):
    form = app.get("/@@login").forms["login-form"]
    form["login"], form["password"] = login, PASSWORD
    form.submit(status=303)


def visible_everywhere(anonymous, title, url, section):
    """Whether ``title`` shows on the home page, its section's listing and at its URL."""
    home = title in anonymous.get("/").text
    listing = title in anonymous.get(f"/{section}/").text
    status = anonymous.get(url, expect_errors=True).status_int
    return home, listing, status


def test_a_scheduled_item_appears_by_itself_once_its_date_passes(scheduled):
    app, clock, storage = scheduled
    anonymous = TestApp(app)
    url = f"/{AGENCY_NEWS}/hoi-nghi-sap-toi/"
    before = storage.lastTransaction()
    home, listing, status = visible_everywhere(anonymous, SCHEDULED, url, AGENCY_NEWS)
    assert (home, listing) == (False, False)
    assert status == 404  # as for a private item: nothing says it is there
    assert "Lịch công tác" not in menu_text(anonymous.get("/"))
    assert anonymous.get("/lich-cong-tac/lich-lam-viec/", expect_errors=True).status_int \
        == 404
    assert "hoi-nghi-sap-toi" not in anonymous.get(f"/{AGENCY_NEWS}/").text

    clock.advance(timedelta(days=1, minutes=1))
    assert visible_everywhere(anonymous, SCHEDULED, url, AGENCY_NEWS) == (True, True, 200)
    assert "Lịch công tác" in menu_text(anonymous.get("/"))
    assert ALONE in anonymous.get("/lich-cong-tac/lich-lam-viec/").text
    assert storage.lastTransaction() == before  # nobody wrote: time alone did it


def test_an_expired_item_disappears_by_itself(scheduled):
    app, clock, storage = scheduled
    anonymous = TestApp(app)
    url = f"/{NEWS}/lich-tiep-cong-dan/"
    before = storage.lastTransaction()
    assert visible_everywhere(anonymous, EXPIRING, url, NEWS) == (True, True, 200)
    clock.advance(timedelta(days=1, hours=1))  # the scheduled item's boundary comes first
    assert visible_everywhere(anonymous, EXPIRING, url, NEWS) == (True, True, 200)
    clock.advance(timedelta(days=1))
    home, listing, status = visible_everywhere(anonymous, EXPIRING, url, NEWS)
    assert (home, listing) == (False, False) and status == 404
    assert storage.lastTransaction() == before


def test_previous_and_next_links_skip_an_item_not_yet_published(scheduled):
    app, clock, _storage = scheduled
    anonymous = TestApp(app)
    with_links = [a["href"] for a in anonymous.get(f"/{AGENCY_NEWS}/").html.select("main a")]
    articles = [href for href in with_links if href.rstrip("/").count("/") > 5]
    for href in articles[:3]:
        page = anonymous.get(href.replace("http://localhost", ""))
        assert "hoi-nghi-sap-toi" not in page.text
    clock.advance(timedelta(days=2))
    newest = anonymous.get(articles[0].replace("http://localhost", ""))
    assert "hoi-nghi-sap-toi" in newest.text  # now its previous link, or a related item


def test_the_agencys_editor_still_sees_the_scheduled_item(scheduled):
    app, _clock, _storage = scheduled
    editor = TestApp(app)
    sign_in(editor, "bientap")
    page = editor.get(f"/{AGENCY_NEWS}/hoi-nghi-sap-toi/")
    assert SCHEDULED in page.text
    assert SCHEDULED in editor.get(f"/{AGENCY_NEWS}/").text
    member = TestApp(app)
    sign_in(member, "thanhvien")  # signed in, but no role at the agency
    assert member.get(f"/{AGENCY_NEWS}/hoi-nghi-sap-toi/", expect_errors=True).status_int \
        == 403
    assert SCHEDULED not in member.get(f"/{AGENCY_NEWS}/").text
    assert SCHEDULED not in TestApp(app).get("/").text  # the editor's pages were not cached


def test_inactive_items_keep_their_viewers_but_not_the_public():
    roles = inactive_view(DEFAULT_PERMISSION_MAP[VIEW])
    assert "Anonymous" not in roles and "Authenticated" not in roles
    assert set(INACTIVE_VIEWERS) <= set(roles)
    assert set(inactive_view(("Anonymous",))) == set(INACTIVE_VIEWERS)
    assert inactive_view(("Owner", "Editor")) == ("Owner", "Editor")  # a draft: unchanged
    item = NewsItem("x", effective=T0, expires=T0 + timedelta(hours=1))
    site = Folder("site")
    assert anonymous_may_view(item, site, T0)
    assert not anonymous_may_view(item, site, T0 - timedelta(seconds=1))
    assert not anonymous_may_view(item, site, T0 + timedelta(hours=1))


def test_the_schedule_finds_the_next_boundary_and_forgets_subtrees():
    schedule = Schedule()
    schedule.set("a/b", [10.0, 30.0])
    schedule.set("a/b/c", [20.0])
    schedule.set("ab", [15.0])
    assert schedule.next_after(0) == 10.0 and schedule.next_after(10.0) == 15.0
    schedule.drop("a/b")
    assert schedule.entries() == [(15.0, "ab")]  # "ab" is not below "a/b"
    schedule.set("ab", [15.0, 40.0])
    assert schedule.next_after(20.0) == 40.0 and schedule.next_after(40.0) is None
    schedule.set("ab", [40.0])
    assert schedule.entries() == [(40.0, "ab")]


def test_dates_reach_the_schedule_through_the_subscribers(demo_copy):
    with editing(demo_copy) as site:
        schedule = get_schedule(site)
        folder = find(site, AGENCY_NEWS)
        item = put(folder, "bai-hen-gio", NewsItem("Bài hẹn giờ"), PUBLISH_AT, EXPIRE_AT)
        path = f"{AGENCY_NEWS}/bai-hen-gio"
        assert (stamp(PUBLISH_AT), path) in schedule.entries()  # set_effective alone
        item.expires = None
        object_modified(ObjectModified(item, folder, item.__name__))
        assert [p for _t, p in schedule.entries() if p == path] == [path]
        section = find(site, "xay-dung-dang")
        site.remove("xay-dung-dang", send_events=False)
        object_removed(ObjectRemoved(section, site, "xay-dung-dang"))
        assert not [p for _t, p in schedule.entries() if p.startswith("xay-dung-dang/")]
        transaction.abort()


def test_a_site_made_before_the_schedule_still_works_and_gets_it_at_a_change(scheduled):
    app, clock, storage = scheduled
    db = app.registry._zodb_databases[""]
    conn = db.open()
    with transaction.manager:
        del conn.root()["portal"].schedule
        conn.root()["portal"].changes.change(1)
    conn.close()
    anonymous = TestApp(app)
    before = storage.lastTransaction()
    assert SCHEDULED not in anonymous.get("/").text
    clock.advance(timedelta(days=1, minutes=1))
    # Without a schedule the derived data is trusted for a few minutes at most.
    assert SCHEDULED in anonymous.get("/").text
    assert storage.lastTransaction() == before  # reading never creates the schedule
    conn = db.open()
    with transaction.manager:
        site = conn.root()["portal"]
        assert getattr(site, "schedule", None) is None
        item = find(site, f"{NEWS}/lich-tiep-cong-dan")
        object_modified(ObjectModified(item, item.__parent__, item.__name__))
        assert (stamp(EXPIRE_AT), f"{NEWS}/lich-tiep-cong-dan") in site.schedule.entries()
    conn.close()


def test_the_edit_form_takes_an_expiry_date_in_the_portals_time_zone(scheduled):
    app, _clock, _storage = scheduled
    editor = TestApp(app)
    sign_in(editor, "bientap")
    form = editor.get(f"/{AGENCY_NEWS}/@@add?type=NewsItem").forms["manage-form"]
    form["title"] = "Bài có hạn"
    form["date"], form["time"] = "2026-11-25", "07:00"
    form["expires-date"], form["expires-time"] = "2026-11-24", "07:00"
    page = form.submit("save", status=400)
    assert page.html.select_one("#error-field-expires")
    form = page.forms["manage-form"]
    form["expires-date"], form["expires-time"] = "2026-12-31", "17:00"
    url = form.submit("save", status=303).location
    path = url.split("localhost/", 1)[1].strip("/")
    conn = app.registry._zodb_databases[""].open()
    site = conn.root()["portal"]
    item = find(site, path)
    assert item.expires == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội
    assert (stamp(item.effective), path) in site.schedule.entries()
    assert (stamp(item.expires), path) in site.schedule.entries()
    conn.close()
    edit = editor.get(url + "@@edit").forms["manage-form"]
    assert edit["expires-date"].value == "2026-12-31"
    assert edit["expires-time"].value.startswith("17:00")
