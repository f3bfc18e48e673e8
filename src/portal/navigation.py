"""Menus, footer links and the home page's blocks, derived from the tree once per change.

Everything derived here is what anonymous visitors may see (S8): private sections and items
are left out, whoever asks.

Walking sections on every request would make each page cost as much as the tree is large.
Instead the derived data (plain dicts, never persistent objects) is cached per database and
keyed on the site's change counter, which every add, removal and edit bumps: a page view
reads the counter, finds the cache fresh, and touches no other object.
"""
import heapq
import threading
from itertools import islice, repeat

from pyramid.location import lineage

from .content.events import ObjectAdded, ObjectModified, ObjectRemoved
from .content.types import Site
from .security.policy import anonymous_may_view

HOME_BLOCK_SIZE = 5
LATEST_SIZE = 6
FEATURED_SCAN = 50
LISTED_TYPES = ("NewsItem", "File", "Page")

_cache = {}
_lock = threading.Lock()


def find_site(obj):
    """The Site above ``obj`` (or ``obj`` itself)."""
    for node in lineage(obj):
        if isinstance(node, Site):
            return node
    return None


def content_changed(event):
    """Subscriber: any change to the tree makes the derived data stale."""
    site = find_site(event.parent if event.parent is not None else event.object)
    if site is not None:
        site.changes.change(1)


def path_of(obj):
    """The slash-separated path of ``obj`` from the site, '' for the site."""
    names = [node.__name__ for node in lineage(obj)][:-1]
    return "/".join(reversed(names))


def summary(obj):
    """What listings and blocks show of an item, as plain data."""
    image = getattr(obj, "image", None)
    return {
        "title": obj.title,
        "description": obj.description,
        "path": path_of(obj),
        "type": obj.type_name,
        "date": obj.sort_date,
        "has_image": image is not None,
        "image_size": (image.width, image.height) if image is not None else None,
        "section": obj.__parent__.title if obj.__parent__ is not None else "",
        "featured": getattr(obj, "featured", False),
    }


def _names(folder):
    """Children's names without materialising a big date-ordered section."""
    return (name for _key, name in folder._by_date) if folder.order == "date" \
        else iter(folder.keys())


def _has_content(folder, memo, site):
    key = id(folder)
    if key not in memo:
        memo[key] = anonymous_may_view(folder, site) and (
            any(anonymous_may_view(folder[name], site) for name in _names(folder)
                if name not in folder._containers)
            or any(_has_content(folder[name], memo, site) for name in folder.container_names()))
    return memo[key]


def _date_folders(folder, site):
    """Public date-ordered folders at or below ``folder`` (sections only, never their items)."""
    if not anonymous_may_view(folder, site):
        return []
    found = [folder] if folder.order == "date" else []
    for name in folder.container_names():
        found.extend(_date_folders(folder[name], site))
    return found


def newest_below(folder, count, types=("NewsItem", "File"), site=None):
    """The ``count`` newest public items of ``types`` in the date-ordered sections below
    ``folder``."""
    site = site or find_site(folder)
    streams = [zip(f._by_date, repeat(f)) for f in _date_folders(folder, site)]
    merged = heapq.merge(*streams, key=lambda pair: pair[0])
    items = (f[key[1]] for key, f in merged)
    return list(islice((obj for obj in items if obj.type_name in types
                        and anonymous_may_view(obj, site)), count))


def _menu_entry(obj, nonempty, depth, site):
    entry = {"title": obj.title, "path": path_of(obj), "url": None, "children": []}
    if obj.type_name == "Link":
        entry["url"] = obj.url
        return entry
    if depth < 2:
        names = obj.container_names() if obj.order == "date" else obj.keys()
        for name in names:
            child = obj[name]
            wanted = (path_of(child) in nonempty if child.is_container
                      else child.type_name == "Link" and anonymous_may_view(child, site))
            if wanted and getattr(child, "in_menu", False):
                entry["children"].append(_menu_entry(child, nonempty, depth + 1, site))
    return entry


def build(site):
    """Compute the derived data of ``site``."""
    memo = {}
    nonempty = set()

    def collect(folder):
        if _has_content(folder, memo, site):
            nonempty.add(path_of(folder))
        for name in folder.container_names():
            collect(folder[name])

    collect(site)
    scan = newest_below(site, FEATURED_SCAN, types=("NewsItem",), site=site)
    featured = next((obj for obj in scan if obj.featured), scan[0] if scan else None)
    latest = [obj for obj in scan if obj is not featured][:LATEST_SIZE]
    # The home page shows each item once: blocks skip what the top of the page already shows.
    shown = {id(obj) for obj in latest} | {id(featured)}
    menu, blocks, link_groups = [], [], []
    for name in site:
        section = site[name]
        if section.type_name == "Link" and section.in_menu and anonymous_may_view(section, site):
            menu.append(_menu_entry(section, nonempty, 1, site))
            continue
        if not section.is_container or path_of(section) not in nonempty:
            continue
        if section.in_menu:
            menu.append(_menu_entry(section, nonempty, 1, site))
            candidates = newest_below(section, HOME_BLOCK_SIZE + LATEST_SIZE + 1, site=site)
            items = [obj for obj in candidates if id(obj) not in shown][:HOME_BLOCK_SIZE]
            if items:
                blocks.append({"title": section.title, "path": path_of(section),
                               "items": [summary(obj) for obj in items]})
        else:
            link_groups.extend(_link_groups(section, site))
    return {
        "menu": menu,
        "blocks": blocks,
        "featured": summary(featured) if featured is not None else None,
        "latest": [summary(obj) for obj in latest],
        "link_groups": link_groups,
        "nonempty": frozenset(nonempty),
        "settings": dict(site.settings),
    }


def _link_groups(section, site):
    groups = []
    for name in section.container_names():
        group = section[name]
        if not anonymous_may_view(group, site):
            continue
        links = [{"title": obj.title, "url": obj.url} for obj in group.values()
                 if obj.type_name == "Link" and anonymous_may_view(obj, site)]
        if links:
            groups.append({"title": group.title, "links": links})
    return groups


def site_data(request):
    """The derived data for this request's site, rebuilt only when the site has changed."""
    site = request.root
    db_key = id(site._p_jar.db()) if site._p_jar is not None else id(site)
    if site.changes._p_changed:
        # This transaction has changed content and may yet abort: its counter value could be
        # reused by another commit, so what it sees must not be cached under it.
        return build(site)
    version = site.changes()
    cached = _cache.get(db_key)
    if cached is not None and cached[0] == version:
        return cached[1]
    data = build(site)
    with _lock:
        _cache[db_key] = (version, data)
    return data


def includeme(config):
    for event in (ObjectAdded, ObjectRemoved, ObjectModified):
        config.add_subscriber(content_changed, event)
