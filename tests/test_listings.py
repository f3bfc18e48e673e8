"""Section listings, the home page and the menus read from the catalog (issue 6: P5, S8):
they count and show what the visitor may see, never what only staff may."""
from datetime import timedelta

import pytest
from webtest import TestApp

from portal import navigation
from portal.content.events import ObjectModified
from portal.content.types import Folder, NewsItem
from portal.publishing.policy import place

from .conftest import add_user, clocked_app, editing
from .test_catalog import app_site
from .test_login import people

NEWS = "tin-tuc-su-kien/trong-tinh"
PAGE_SIZE = 5


@pytest.fixture
def portal(demo_copy):
    with editing(demo_copy) as site:
        add_user(site, "quantri", "Quản Trị", roles=("Manager",))
    navigation._cache.clear()
    app, clock = clocked_app(demo_copy, **{"portal.page_size": str(PAGE_SIZE)})
    yield app, clock
    app.registry._zodb_databases[""].close()


def listing_pages(visitor, path):
    """The item titles of each page of the listing at ``path``, following "older" links."""
    pages, url = [], f"/{path}/"
    while url:
        page = visitor.get(url)
        pages.append([a.get_text(strip=True) for a in page.html.select(".item-title a")])
        older = page.html.select_one(".pager a[rel=next]")
        url = older["href"] if older else None
    return pages


def test_drafts_never_make_an_empty_last_page(portal):
    app, clock = portal
    with app_site(app) as site:
        news = site["tin-tuc-su-kien"]["trong-tinh"]
        published = sum(1 for _ in news.newest())
        for n in range(3 * PAGE_SIZE):
            # Added as the application adds: the workflow makes each a draft.
            news.add(f"ban-nhap-{n}", NewsItem(f"Bản nháp số {n}"), registry=app.registry)
    pages = listing_pages(TestApp(app), NEWS)
    assert all(pages), "a page of the listing is empty"
    titles = [title for page in pages for title in page]
    assert len(titles) == published
    assert not [title for title in titles if title.startswith("Bản nháp")]
    assert len(pages) == -(-published // PAGE_SIZE)
    # Staff who may see the drafts page through them too.
    editor_titles = [t for page in listing_pages(people(app, clock, ("quantri",))("quantri"), NEWS) for t in page]
    assert len(editor_titles) == published + 3 * PAGE_SIZE


def test_a_listing_keeps_its_date_order_across_pages(portal):
    app, _clock = portal
    with app_site(app) as site:
        news = site["tin-tuc-su-kien"]["trong-tinh"]
        expected = [obj.title for obj in news.newest() if obj.type_name != "Folder"]
    titles = [t for page in listing_pages(TestApp(app), NEWS) for t in page]
    assert titles == expected


def hidden_section(app, clock, expires):
    """A public section holding one published article; the section expires at ``expires``."""
    with app_site(app) as site:
        section = site.add("chuyen-muc-an", Folder("Chuyên mục sắp ẩn"), registry=app.registry)
        item = NewsItem("Tin trong chuyên mục sắp ẩn", featured=True)
        item.set_dates(clock.now(), clock.now() - timedelta(minutes=1))
        section.add("tin-an", item, registry=app.registry)
        place(app.registry, item, "published")
        section.expires = expires
        app.registry.notify(ObjectModified(section, site, "chuyen-muc-an"))


def test_items_below_a_section_hidden_from_visitors_stay_off_the_home_page(portal):
    app, clock = portal
    hidden_section(app, clock, clock.now() + timedelta(hours=1))
    anonymous = TestApp(app)
    home = anonymous.get("/")
    assert "Tin trong chuyên mục sắp ẩn" in home.text
    assert "Chuyên mục sắp ẩn" in home.html.select_one("#site-menu").get_text()
    clock.advance(timedelta(hours=2))
    # The section has expired; its article has not, and is public by itself, but visitors
    # cannot reach it from the site: neither the home page nor the menu show it.
    home = anonymous.get("/")
    assert "Tin trong chuyên mục sắp ẩn" not in home.text
    assert "Chuyên mục sắp ẩn" not in home.html.select_one("#site-menu").get_text()
    assert anonymous.get("/chuyen-muc-an/tin-an/").status_int == 200


def test_the_home_page_shows_the_newest_news_from_the_catalog(portal):
    app, clock = portal
    with app_site(app) as site:
        news = site["tin-tuc-su-kien"]["trong-tinh"]
        item = NewsItem("Tin mới nhất hôm nay")
        item.set_dates(clock.now(), clock.now())
        news.add("tin-moi-nhat", item, registry=app.registry)
        place(app.registry, item, "published")
    latest = TestApp(app).get("/").html.select(".latest a, .featured a")
    assert "Tin mới nhất hôm nay" in " ".join(a.get_text() for a in latest)


def test_a_date_ordered_folder_lists_its_sections_without_its_items(portal):
    app, _clock = portal
    with app_site(app) as site:
        news = site["tin-tuc-su-kien"]["trong-tinh"]
        news.add("chuyen-de", Folder("Chuyên đề"), registry=app.registry)
        assert news.container_names() == [name for name in news
                                          if name in news._containers]
        assert "chuyen-de" in news.container_names()
