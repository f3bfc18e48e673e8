"""The public views of the site, its sections and its items."""
from itertools import islice

from pyramid.view import view_config

from ..catalog.search import Eq, resolve, search
from ..content.types import File, Folder, Image, Link, NewsItem, Page, Site
from ..navigation import path_of, summary
from ..publishing.working_copy import is_working_copy
from ..security.roles import VIEW

RELATED_COUNT = 5
NEIGHBOUR_SCAN = 50


def page_number(request, count, size):
    """The page asked for in ``?page=``, clamped to the pages there are (bad input → 1)."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    last = max(1, -(-count // size))
    return min(max(1, number), last), last


@view_config(context=Site, permission="view", renderer="portal:templates/home.pt")
def home(context, request):
    """The home page: a featured item, the latest news and a block per main section.

    Its body depends only on the content and the language, so the layout renders it once per
    change (``Layout.home_html``).
    """
    return {}


def _listed_query(folder):
    return Eq("parent", path_of(folder)) & Eq("is_container", 0)


def listed_count(request, folder):
    """How many items ``listed_items`` has for the visitor (anonymous visitors' count is
    kept with the derived data until the content changes)."""
    return request.layout.memo(("listed", path_of(folder)),
                               lambda: int(search(request, _listed_query(folder), context=folder)[0]))


def listed_items(request, folder, start=0, size=None):
    """(count, items): the non-section children of ``folder`` the visitor may view, in the
    folder's order, ``size`` of them from ``start`` (all when None), from the catalog.

    The count is of what the visitor may view, so a section with many drafts never shows the
    public an empty last page.
    """
    query = _listed_query(folder)
    if folder.order == "date":
        stop = None if size is None else start + size
        count, docids = search(request, query, sort_index="effective", reverse=True,
                               limit=stop, context=folder)
        return count.total, [obj for obj in (resolve(request, docid) for docid in
                                             islice(docids, start, stop)) if obj is not None]
    # Hand-ordered sections are small: their order is the folder's own list of names.
    _count, docids = search(request, query, context=folder)
    found = {obj.__name__: obj for obj in (resolve(request, docid) for docid in docids)
             if obj is not None and obj.__parent__ is folder}
    ordered = [found[name] for name in folder._manual if name in found]
    return len(ordered), ordered[start:None if size is None else start + size]


def default_page(request, folder):
    """The Page ``folder`` shows at its URL, when it names one the visitor may view, else None.

    The page is another object than the folder, so it passes the same check as a visit to its
    own URL: a retracted page, or a draft added under the page's id, leaves the visitors who
    may not view it with the folder's listing.
    """
    name = folder.default_page
    page = folder.get(name) if name else None
    if isinstance(page, Page) and request.has_permission(VIEW, page):
        return page
    return None


@view_config(context=Folder, permission="view", renderer="portal:templates/folder.pt")
def folder_view(context, request):
    """A section: its own page when it has one, else its subsections and a paged listing."""
    page = default_page(request, context)
    if page is not None:
        # The heading stays the section's: a menu entry opens a page bearing its name.
        return dict(page_view(page, request), heading=context.title)
    layout = request.layout
    size = int(request.registry.settings["portal.page_size"])
    count = listed_count(request, context)
    number, last = page_number(request, count, size)

    def values():
        sections = [context[name] for name in context.container_names()
                    if request.has_permission(VIEW, context[name])]
        _count, items = listed_items(request, context, (number - 1) * size, size)
        return {"folder": context,
                "sections": [section for section in sections if layout.is_listed(section)],
                "items": items, "count": count, "number": number, "last": last}

    html = layout.cached("folder_listing", (path_of(context), number), values)
    return {"page": None, "listing_html": html}


@view_config(context=Page, permission="view", renderer="portal:templates/page.pt")
def page_view(context, request):
    """A static page."""
    return {"page": context, "heading": context.title}


def _newer_keys(tree, key):
    """Keys before ``key`` in the date index ``tree``, nearest first, loading only the
    buckets walked (``maxKey`` jumps to the previous date)."""
    while True:
        yield from reversed(list(tree.keys(min=(key[0], ""), max=key, excludemax=True)))
        try:
            key = tree.maxKey((key[0], ""))
        except ValueError:
            return
        yield key


def neighbours(item, visible=None):
    """(previous, next) siblings of ``item`` in its section's order (None at either end).

    Sections are skipped, and so are siblings ``visible`` refuses (not yet published,
    expired, private), looking at most ``NEIGHBOUR_SCAN`` siblings each way.
    """
    parent = item.__parent__
    if parent.order == "date":
        key = item._date_key
        before = (newer[1] for newer in _newer_keys(parent._by_date, key))
        after = (older[1] for older in parent._by_date.keys(min=key, excludemin=True))
    else:
        names = list(parent._manual)
        index = names.index(item.__name__)
        before, after = reversed(names[:index]), iter(names[index + 1:])

    def pick(names):
        for name in islice(names, NEIGHBOUR_SCAN):
            obj = parent.get(name) if name not in parent._containers else None
            if obj is not None and (visible is None or visible(obj)):
                return obj
        return None

    return pick(before), pick(after)


@view_config(context=NewsItem, permission="view", renderer="portal:templates/article.pt")
def article_view(context, request):
    """An article with its lead image, byline, related items and previous/next links."""
    def values():
        parent = context.__parent__
        if is_working_copy(context):
            # A working copy under review: the article alone, no neighbours of its own.
            return {"item": context, "related": [], "previous": None, "next": None}
        _count, near = listed_items(request, parent, 0, RELATED_COUNT + 1)
        related = [summary(obj) for obj in near if obj is not context][:RELATED_COUNT]
        previous, following = neighbours(
            context, lambda obj: bool(request.has_permission(VIEW, obj)))
        return {"item": context, "related": related, "previous": previous, "next": following}

    return {"article_html": request.layout.cached("article_body", (path_of(context),), values)}


@view_config(context=Link, permission="view", renderer="portal:templates/link.pt")
def link_view(context, request):
    """A link: where it goes, with a clear way to follow it."""
    return {}


@view_config(context=File, permission="view", renderer="portal:templates/file.pt")
def file_view(context, request):
    """A file's page: what it is, its size, and the download."""
    return {}


@view_config(context=Image, permission="view", renderer="portal:templates/image.pt")
def image_view(context, request):
    """An image's page."""
    return {}
