"""The derived data behind menus and the home page: cached per content version, never from a
transaction that changed content (it may still abort)."""
import transaction
from pyramid import testing

from portal.content.types import NewsItem
from portal.navigation import site_data
from portal.publishing.policy import place
from portal.testing import FIXED_NOW, make_registry, open_db


def request_for(site, registry):
    request = testing.DummyRequest()
    request.root = site
    request.registry = registry
    return request


def latest_titles(site, registry):
    return [item["title"] for item in site_data(request_for(site, registry))["latest"]]


def test_an_aborted_change_never_reaches_the_cache(demo_copy):
    registry = make_registry()
    db = open_db(demo_copy)
    conn = db.open()
    try:
        site = conn.root()["portal"]
        before = latest_titles(site, registry)
        news = site["tin-tuc-su-kien"]["trong-tinh"]
        item = NewsItem("Tin chưa được lưu")
        news.add("tin-chua-duoc-luu", item, registry=registry)
        item.set_dates(FIXED_NOW, FIXED_NOW)
        place(registry, item, "published")
        # Derived while the change is uncommitted (its counter bumped), then aborted.
        latest_titles(site, registry)
        transaction.abort()
        other = conn.root()["portal"]["tin-tuc-su-kien"]["trong-tinh"]
        other.add("tin-khac", NewsItem("Tin khác"), registry=registry)
        other["tin-khac"].set_dates(FIXED_NOW, FIXED_NOW)
        place(registry, other["tin-khac"], "published")
        transaction.commit()  # the same counter value the aborted change had reached
        titles = latest_titles(conn.root()["portal"], registry)
        assert titles[0] == "Tin khác" and "Tin chưa được lưu" not in titles
        assert titles[1:] == before[:len(titles) - 1]
    finally:
        transaction.abort()
        conn.close()
        db.close()
