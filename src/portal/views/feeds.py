"""RSS 2.0 feeds, the sitemap and robots.txt (issue 6, point 5: P6, S8).

Everything here is what an *anonymous visitor* may see, whoever asks: a signed-in editor asking
for a feed gets the public feed, never drafts or internal items (feeds and sitemaps are copied
into readers, aggregators and search engines, and are served with ``Cache-Control: public``).
The catalog is read through ``navigation.PublicView``, as the menus and the home page are:
``role:Anonymous`` as the only viewer, the publication window at the clock's time, and
nothing below a folder anonymous visitors may not view.

URLs: ``/rss.xml`` (the site), ``<folder>/rss.xml`` (every section: the newest items anywhere
below it), ``/sitemap.xml`` (``?page=N`` past ``SITEMAP_LIMIT`` URLs) and ``/robots.txt``.
A section anonymous visitors may not view has no feed: 404, also for signed-in staff.
Nothing is written to the database on these GETs.
"""
import html
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from BTrees.IFBTree import intersection
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from ..catalog import get_catalog
from ..catalog.search import object_at
from ..content.base import EPOCH, path_of
from ..content.typeinfo import types_where
from ..content.types import Folder, Site
from ..navigation import PublicView
from ..security.policy import anonymous_may_view

FEED_ITEMS = 20  # items per feed, newest first
SITEMAP_LIMIT = 50000  # URLs per sitemap file (sitemaps.org)
MAX_AGE = 300  # seconds browsers, proxies and aggregators may keep a feed
RSS_TYPE = "application/rss+xml"
ATOM = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def url_of(request, path):
    """The URL of site path ``path`` (``Layout.url``)."""
    return request.layout.url(path)


def is_public_folder(request, folder):
    """True when anonymous visitors may view ``folder`` and every folder above it now."""
    site, now = request.root, request.registry.portal_clock.now()
    node = folder
    while node is not None and node is not site:
        if not anonymous_may_view(node, site, now):
            return False
        node = node.__parent__
    return True


def _cacheable(response):
    response.cache_control = f"public, max-age={MAX_AGE}"
    response.md5_etag()
    response.conditional_response = True
    return response


def _xml(root):
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# Feeds -------------------------------------------------------------------------------------

def _date(obj):
    return obj.effective or obj.created or EPOCH


def public_view(request):
    """What anonymous visitors may see now (``navigation.PublicView``)."""
    return PublicView(request.root, request.registry.portal_clock.now())


def feed_items(request, folder, count=FEED_ITEMS):
    """The ``count`` newest public NewsItems and Files below ``folder``, newest first."""
    return public_view(request).newest(path_of(folder), count,
                                       types_where("fed", request.registry))


def feed_title(request, folder):
    site_title = request.layout.site_title
    if isinstance(folder, Site):
        return site_title
    return f"{folder.title} – {site_title}"


def feed_links(request, context):
    """(title, URL) of the feeds a page advertises in its head: the site's, and the feed of
    the section shown (a folder page) or holding the item shown, when it is public."""
    site = request.root
    links = [(feed_title(request, site), f"{url_of(request, '')}rss.xml")]
    folder = context if getattr(context, "is_container", False) else \
        getattr(context, "__parent__", None)
    if isinstance(folder, Folder) and folder is not site and path_of(folder) \
            and is_public_folder(request, folder):
        links.append((feed_title(request, folder),
                      f"{url_of(request, path_of(folder))}rss.xml"))
    return links


@view_config(name="rss.xml", context=Folder, permission="view", request_method="GET")
def rss(context, request):
    """RSS 2.0 of the newest public items of the site or of a section (and below)."""
    if not isinstance(context, Site) and not is_public_folder(request, context):
        raise HTTPNotFound()
    items = feed_items(request, context)
    layout = request.layout
    path = path_of(context)
    link = url_of(request, path)
    now = request.registry.portal_clock.now()
    built = max((max(_date(obj), obj.modified or EPOCH) for obj in items), default=now)

    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = feed_title(request, context)
    ET.SubElement(channel, "link").text = link
    description = context.description or layout.settings.get("description") or \
        feed_title(request, context)
    ET.SubElement(channel, "description").text = description
    ET.SubElement(channel, "language").text = \
        request.registry.settings.get("portal.content_language", "vi")
    ET.SubElement(channel, "lastBuildDate").text = _rfc822(built)
    ET.SubElement(channel, "atom:link", {"href": f"{link}rss.xml", "rel": "self",
                                         "type": RSS_TYPE})
    for obj in items:
        item = ET.SubElement(channel, "item")
        url = url_of(request, path_of(obj))
        ET.SubElement(item, "title").text = obj.title
        ET.SubElement(item, "link").text = url
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = url
        ET.SubElement(item, "pubDate").text = _rfc822(_date(obj))
        if obj.description:
            # The lead is plain text; RSS readers read descriptions as HTML: escape it as HTML
            # (ElementTree then escapes that for XML), so "<b>" and "&" show as typed.
            ET.SubElement(item, "description").text = html.escape(obj.description, quote=False)
        parent = obj.__parent__
        if parent is not None and parent is not request.root:
            ET.SubElement(item, "category").text = parent.title
    response = Response(body=_xml(rss), content_type=RSS_TYPE, charset="utf-8")
    return _cacheable(response)


def _rfc822(when):
    return format_datetime(when.astimezone(UTC), usegmt=True)


# Sitemap -----------------------------------------------------------------------------------

def sitemap_entries(request):
    """[(path, modified seconds)] of the public content, the site first, then by path: the
    sections with public items below them, the public pages, articles and files (only below
    public sections). A section's own page (``default_page``) is the section's URL."""
    catalog, docmap = get_catalog(request.root)
    if catalog is None:
        return [("", None)]
    view = public_view(request)
    modified = catalog["modified"]._rev_index
    sections = view.nonempty() - {""}
    shown_as_section = set()
    for path in sections:
        docid = docmap.docid_for_address(path)
        folder = object_at(request.root, docid) if docid is not None else None
        if folder is not None and folder.default_page:
            shown_as_section.add(f"{path}/{folder.default_page}")
    entries = [(path, modified.get(docmap.docid_for_address(path))) for path in sections]
    items = intersection(view.items, catalog["type"].applyAny(
        list(types_where("in_sitemap", request.registry))))
    for docid in items:
        path = docmap.address_for_docid(docid)
        if path is not None and path not in shown_as_section:
            entries.append((path, modified.get(docid)))
    entries.sort()
    newest = max((when for _path, when in entries if when is not None), default=None)
    return [("", newest)] + entries


def _w3c(when):
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")


@view_config(name="sitemap.xml", context=Site, permission="view", request_method="GET")
def sitemap(context, request):
    """sitemaps.org XML of the public content; past ``SITEMAP_LIMIT`` URLs, a sitemap index
    whose files are ``sitemap.xml?page=N`` (N from 1)."""
    entries = sitemap_entries(request)
    pages = max(1, -(-len(entries) // SITEMAP_LIMIT))
    page = request.GET.get("page")
    base = url_of(request, "")
    if page is None and pages > 1:
        root = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
        for number in range(1, pages + 1):
            ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = \
                f"{base}sitemap.xml?page={number}"
    else:
        try:
            number = int(page or 1)
        except ValueError:
            raise HTTPNotFound() from None
        if not 1 <= number <= pages:
            raise HTTPNotFound()
        root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
        start = (number - 1) * SITEMAP_LIMIT
        for path, when in entries[start:start + SITEMAP_LIMIT]:
            url = ET.SubElement(root, "url")
            ET.SubElement(url, "loc").text = url_of(request, path)
            if when is not None:
                ET.SubElement(url, "lastmod").text = _w3c(when)
    response = Response(body=_xml(root), content_type="application/xml", charset="utf-8")
    return _cacheable(response)


@view_config(name="robots.txt", context=Site, permission="view", request_method="GET")
def robots(context, request):
    """Crawl everything but the management views (``@@``); where the sitemap is."""
    text = (f"User-agent: *\nAllow: /\nDisallow: /*@@\n\n"
            f"Sitemap: {url_of(request, '')}sitemap.xml\n")
    response = Response(body=text.encode("utf-8"), content_type="text/plain", charset="utf-8")
    return _cacheable(response)

