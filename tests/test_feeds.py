"""RSS feeds, the sitemap and robots.txt (issue 6, point 5: P6, S8): public content only,
whoever asks, validated with a real feed parser."""
from datetime import timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import feedparser
import pytest

from portal.content.events import LocalRolesModified
from portal.content.types import NewsItem, Page
from portal.publishing.policy import place
from portal.security.sharing import change_local_roles
from portal.views import feeds

from .conftest import T0, add_user, clocked_app, editing
from .test_catalog import app_site, browser
from .test_login import people

NEWS = "xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong"
SECTION = "xay-dung-dang"
APP = "http://localhost"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

DRAFT = "ban-nhap-chua-cong-bo"
SCHEDULED = "tin-hen-gio-ngay-mai"
INTERNAL_NEWS = "thong-bao-noi-bo"
INTERNAL_PAGE = "trang-noi-bo"


def _add(registry, folder, name, obj, state=None, effective=T0):
    obj.creator = "bientap"
    obj.set_dates(T0, effective=effective)
    folder.add(name, obj, registry=registry)
    if state:
        place(registry, obj, state)
    return obj


@pytest.fixture
def portal(demo_copy):
    with editing(demo_copy) as site:
        add_user(site, "bientap", "Biên Tập", groups=("ban-tuyen-giao",))
        add_user(site, "quantri", "Quản Trị", roles=("Manager",))
    app, clock = clocked_app(demo_copy)
    registry = app.registry
    with app_site(app) as site:
        news = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        _add(registry, news, DRAFT, NewsItem("Bản nháp chưa công bố",
                                             "Lời dẫn của bản nháp."))
        _add(registry, news, SCHEDULED,
             NewsItem("Tin hẹn giờ ngày mai", "Lời dẫn <b>hẹn giờ</b> & đủ thứ."),
             state="published", effective=T0 + timedelta(days=1))
        internal = site["noi-bo"]
        _add(registry, internal, INTERNAL_NEWS, NewsItem("Thông báo nội bộ", "Chỉ cán bộ."),
             state="internal")
        page = _add(registry, internal, INTERNAL_PAGE, Page("Trang nội bộ", "Nội bộ."),
                    state="internal")
        # Shared with someone: still not public.
        change_local_roles(site, page, "user:bientap", {"Editor"})
        registry.notify(LocalRolesModified(page, internal, INTERNAL_PAGE))
    yield app, clock
    app.registry._zodb_databases[""].close()


def last_transaction(app):
    return app.registry._zodb_databases[""].lastTransaction()


def parse(response):
    assert response.content_type == "application/rss+xml"
    assert response.charset == "utf-8"
    feed = feedparser.parse(response.body)
    assert feed.bozo == 0, feed.bozo_exception
    assert feed.version == "rss20"
    return feed


def links(feed):
    return [entry.link for entry in feed.entries]


def secret(url):
    return any(name in url for name in (DRAFT, INTERNAL_NEWS, INTERNAL_PAGE, "/noi-bo/"))


def test_the_site_feed_is_valid_rss_of_the_newest_public_items(portal):
    app, _clock = portal
    anonymous = browser_anonymous(app)
    before = last_transaction(app)
    response = anonymous.get("/rss.xml")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    feed = parse(response)
    assert feed.feed.title == anonymous.get("/").html.select_one(".brand-name").text.strip()
    assert feed.feed.link == f"{APP}/"
    assert feed.feed.language == "vi"
    assert feed.feed.updated_parsed is not None
    assert len(feed.entries) == feeds.FEED_ITEMS
    assert response.text.count('<guid isPermaLink="true">') == feeds.FEED_ITEMS
    dates = [parsedate_to_datetime(entry.published) for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert all(when <= T0 for when in dates)
    for entry in feed.entries:
        assert entry.link.startswith(f"{APP}/") and entry.link.endswith("/")
        assert entry.id == entry.link
        assert entry.title
        assert entry.tags and entry.tags[0].term
        assert not secret(entry.link)
    # The newest public article of the demo is the first entry; its page exists.
    first = feed.entries[0].link.removeprefix(APP)
    assert anonymous.get(first).status_int == 200
    # Conditional GET.
    again = anonymous.get("/rss.xml", headers={"If-None-Match": response.headers["ETag"]},
                          status=304)
    assert not again.body
    assert last_transaction(app) == before


def browser_anonymous(app):
    from webtest import TestApp
    return TestApp(app)


def test_a_section_feed_holds_the_items_below_it(portal):
    app, _clock = portal
    anonymous = browser_anonymous(app)
    feed = parse(anonymous.get(f"/{SECTION}/rss.xml"))
    assert feed.feed.link == f"{APP}/{SECTION}/"
    section_title = anonymous.get(f"/{SECTION}/").html.select_one("h1").text.strip()
    assert feed.feed.title.startswith(section_title)
    assert feed.entries
    assert all(link.startswith(f"{APP}/{SECTION}/") for link in links(feed))
    # A subsection's feed: only what is below it.
    feed = parse(anonymous.get(f"/{NEWS}/rss.xml"))
    assert feed.entries and all(link.startswith(f"{APP}/{NEWS}/") for link in links(feed))
    # Files are items of feeds too.
    docs = parse(anonymous.get("/he-thong-van-ban/rss.xml"))
    assert docs.entries
    # The lead, escaped, comes back as the text typed.
    leads = [entry.get("summary", "") for entry in feed.entries]
    assert all("<script" not in lead for lead in leads)


def test_drafts_and_internal_items_are_never_in_feeds_even_for_editors(portal):
    app, clock = portal
    editor = browser(app, "bientap")
    manager = people(app, clock, two_step=("quantri",))("quantri")
    anonymous = browser_anonymous(app)
    # The editor may see the draft and the internal items on the site itself...
    assert editor.get(f"/{NEWS}/{DRAFT}/").status_int == 200
    assert editor.get(f"/noi-bo/{INTERNAL_NEWS}/").status_int == 200
    assert manager.get(f"/noi-bo/{INTERNAL_PAGE}/").status_int == 200
    for who in (anonymous, editor, manager):
        for url in ("/rss.xml", f"/{SECTION}/rss.xml", f"/{NEWS}/rss.xml"):
            feed = parse(who.get(url))
            assert not any(secret(link) for link in links(feed)), (url, links(feed))
            assert SCHEDULED not in " ".join(links(feed))
            assert "Thông báo nội bộ" not in who.get(url).text
    # The internal area has no feed, not even for those who may view it (404); anonymous
    # visitors may not view the section at all.
    editor.get("/noi-bo/rss.xml", status=404)
    manager.get("/noi-bo/rss.xml", status=404)
    assert anonymous.get("/noi-bo/rss.xml", expect_errors=True).status_int == 404


def test_a_section_of_private_items_gives_an_empty_valid_feed(portal):
    app, _clock = portal
    with app_site(app) as site:
        folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        folder.add("rieng", type(site["xay-dung-dang"])("Mục riêng"), registry=app.registry)
        place(app.registry, folder["rieng"], "published")
        _add(app.registry, folder["rieng"], "nhap", NewsItem("Chỉ là nháp", "Nháp."))
    response = browser_anonymous(app).get("/xay-dung-dang/cong-tac-tuyen-giao/rieng/rss.xml")
    feed = parse(response)
    assert feed.entries == []
    assert feed.feed.title.startswith("Mục riêng")


def test_a_scheduled_item_appears_when_its_time_comes_without_a_write(portal):
    app, clock = portal
    anonymous = browser_anonymous(app)
    assert SCHEDULED not in " ".join(links(parse(anonymous.get(f"/{NEWS}/rss.xml"))))
    assert SCHEDULED not in anonymous.get("/sitemap.xml").text
    before = last_transaction(app)
    clock.advance(timedelta(days=1, seconds=1))
    feed = parse(anonymous.get(f"/{NEWS}/rss.xml"))
    assert feed.entries[0].link == f"{APP}/{NEWS}/{SCHEDULED}/"
    assert feed.entries[0].title == "Tin hẹn giờ ngày mai"
    # The lead is plain text: escaped as HTML (the description's type), then as XML.
    assert feed.entries[0].summary == "Lời dẫn &lt;b&gt;hẹn giờ&lt;/b&gt; &amp; đủ thứ."
    assert "Lời dẫn &amp;lt;b&amp;gt;hẹn giờ" in anonymous.get(f"/{NEWS}/rss.xml").text
    assert parsedate_to_datetime(feed.entries[0].published) == \
        (T0 + timedelta(days=1)).replace(microsecond=0)
    assert parse(anonymous.get("/rss.xml")).entries[0].link.endswith(f"/{SCHEDULED}/")
    assert f"{APP}/{NEWS}/{SCHEDULED}/" in sitemap_urls(anonymous.get("/sitemap.xml"))
    assert last_transaction(app) == before


def sitemap_urls(response):
    assert response.content_type == "application/xml"
    root = ET.fromstring(response.body)
    assert root.tag == f"{SM}urlset"
    urls = {}
    for url in root.findall(f"{SM}url"):
        urls[url.find(f"{SM}loc").text] = url.find(f"{SM}lastmod")
    return urls


def test_the_sitemap_lists_public_content_only(portal):
    app, clock = portal
    manager = people(app, clock, two_step=("quantri",))("quantri")
    for who in (browser_anonymous(app), browser(app, "bientap"), manager):
        before = last_transaction(app)
        response = who.get("/sitemap.xml")
        assert response.headers["Cache-Control"] == "public, max-age=300"
        urls = sitemap_urls(response)
        assert last_transaction(app) == before
        assert f"{APP}/" in urls
        assert f"{APP}/{SECTION}/" in urls and f"{APP}/{NEWS}/" in urls
        assert not any(secret(url) for url in urls), [url for url in urls if secret(url)]
        assert f"{APP}/{NEWS}/{SCHEDULED}/" not in urls
        # Every article of the site feed is in the sitemap, with its date.
        for link in links(parse(who.get("/rss.xml"))):
            assert link in urls
            assert urls[link] is not None and urls[link].text.startswith("20")
    # A section showing its own page is listed once, at the section's address.
    anonymous = browser_anonymous(app)
    urls = sitemap_urls(anonymous.get("/sitemap.xml"))
    section = f"{APP}/gioi-thieu/co-cau-to-chuc/thuong-truc-tinh-uy/"
    assert section in urls and f"{section}gioi-thieu/" not in urls
    # An empty section (only empty subsections) is left out, like in the menus (P14).
    with app_site(app) as site:
        site.add("muc-trong", type(site["xay-dung-dang"])("Mục trống"), registry=app.registry)
        place(app.registry, site["muc-trong"], "published")
    assert f"{APP}/muc-trong/" not in sitemap_urls(anonymous.get("/sitemap.xml"))


def test_a_large_sitemap_becomes_an_index_of_pages(portal, monkeypatch):
    app, _clock = portal
    anonymous = browser_anonymous(app)
    everything = sitemap_urls(anonymous.get("/sitemap.xml"))
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 100)
    root = ET.fromstring(anonymous.get("/sitemap.xml").body)
    assert root.tag == f"{SM}sitemapindex"
    locs = [node.find(f"{SM}loc").text for node in root.findall(f"{SM}sitemap")]
    pages = -(-len(everything) // 100)
    assert locs == [f"{APP}/sitemap.xml?page={n}" for n in range(1, pages + 1)]
    found = {}
    for loc in locs:
        part = sitemap_urls(anonymous.get(loc.removeprefix(APP)))
        assert len(part) <= 100
        found.update(part)
    assert set(found) == set(everything)
    anonymous.get(f"/sitemap.xml?page={pages + 1}", status=404)
    anonymous.get("/sitemap.xml?page=x", status=404)
    anonymous.get("/sitemap.xml?page=-1", status=404)


def test_robots_txt(portal):
    app, _clock = portal
    response = browser_anonymous(app).get("/robots.txt")
    assert response.content_type == "text/plain"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /*@@" in lines
    assert f"Sitemap: {APP}/sitemap.xml" in lines
    assert not any(line.startswith("Disallow: /") and line != "Disallow: /*@@" for line in lines)


def alternates(page):
    return [(link["title"], link["href"]) for link in
            page.html.select('head link[rel=alternate][type="application/rss+xml"]')]


def test_pages_advertise_their_feeds(portal):
    app, _clock = portal
    anonymous = browser_anonymous(app)
    home = alternates(anonymous.get("/"))
    assert [href for _title, href in home] == [f"{APP}/rss.xml"]
    assert home[0][0]
    section = alternates(anonymous.get(f"/{NEWS}/"))
    assert [href for _t, href in section] == [f"{APP}/rss.xml", f"{APP}/{NEWS}/rss.xml"]
    feed = parse(anonymous.get(f"/{NEWS}/rss.xml"))
    assert section[1][0] == feed.feed.title
    article = feed.entries[0].link.removeprefix(APP)
    assert alternates(anonymous.get(article)) == section
    # Every advertised feed answers.
    for _title, href in section:
        parse(anonymous.get(href.removeprefix(APP)))
    # The internal area advertises the site's feed only, even to those who may view it.
    editor = browser(app, "bientap")
    assert [href for _t, href in alternates(editor.get("/noi-bo/"))] == [f"{APP}/rss.xml"]
    assert [href for _t, href in alternates(editor.get(f"/noi-bo/{INTERNAL_NEWS}/"))] == \
        [f"{APP}/rss.xml"]
