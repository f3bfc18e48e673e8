"""Menus, footer links and the home page's blocks, derived from the tree once per change.

Everything derived here is what anonymous visitors may see (S8): private sections and items
are left out, whoever asks.

Walking sections on every request would make each page cost as much as the tree is large.
Instead the derived data (plain dicts, never persistent objects) is cached per database and
keyed on the site's change counter, which every add, removal and edit bumps: a page view
reads the counter, finds the cache fresh, and touches no other object. Publication and expiry
dates change what anonymous visitors see without any change: the cache also expires at the
first such date after it was built (``content.schedule``).
"""
import heapq
import threading
from itertools import islice, repeat

from .content.base import find_site, path_of
from .content.events import ObjectAdded, ObjectModified, ObjectRemoved
from .content.schedule import UNKNOWN, next_boundary, registry_now, stamp
from .security.policy import anonymous_may_view

HOME_BLOCK_SIZE = 5
LATEST_SIZE = 6
FEATURED_SCAN = 50
# How long derived data of a site without a schedule (made before it existed) is trusted.
UNSCHEDULED_TTL = 300
LISTED_TYPES = ("NewsItem", "File", "Page")

_cache = {}
_lock = threading.Lock()


def content_changed(event):
    """Subscriber: any change to the tree makes the derived data stale."""
    site = find_site(event.parent if event.parent is not None else event.object)
    if site is not None:
        site.changes.change(1)


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


def _has_content(folder, memo, site, now):
    key = id(folder)
    if key not in memo:
        memo[key] = anonymous_may_view(folder, site, now) and (
            any(anonymous_may_view(folder[name], site, now) for name in _names(folder)
                if name not in folder._containers)
            or any(_has_content(folder[name], memo, site, now)
                   for name in folder.container_names()))
    return memo[key]


def _date_folders(folder, site, now=None):
    """Public date-ordered folders at or below ``folder`` (sections only, never their items)."""
    if not anonymous_may_view(folder, site, now):
        return []
    found = [folder] if folder.order == "date" else []
    for name in folder.container_names():
        found.extend(_date_folders(folder[name], site, now))
    return found


def newest_below(folder, count, types=("NewsItem", "File"), site=None, now=None):
    """The ``count`` newest public items of ``types`` in the date-ordered sections below
    ``folder`` that are active at ``now`` (the registry's clock when None).

    Items published in the future sort first; the walk starts after them, from the date
    index alone, so they are neither loaded nor counted.
    """
    site = site or find_site(folder)
    if now is None:
        now = registry_now()
    start = (-stamp(now),) if now is not None else None
    streams = [zip(f._by_date.keys(min=start), repeat(f))
               for f in _date_folders(folder, site, now)]
    merged = heapq.merge(*streams, key=lambda pair: pair[0])
    items = (f[key[1]] for key, f in merged)
    return list(islice((obj for obj in items if obj.type_name in types
                        and anonymous_may_view(obj, site, now)), count))


def _menu_entry(obj, nonempty, depth, site, now):
    entry = {"title": obj.title, "path": path_of(obj), "url": None, "children": []}
    if obj.type_name == "Link":
        entry["url"] = obj.url
        return entry
    if depth < 2:
        names = obj.container_names() if obj.order == "date" else obj.keys()
        for name in names:
            child = obj[name]
            wanted = (path_of(child) in nonempty if child.is_container
                      else child.type_name == "Link" and anonymous_may_view(child, site, now))
            if wanted and getattr(child, "in_menu", False):
                entry["children"].append(_menu_entry(child, nonempty, depth + 1, site, now))
    return entry


def build(site, now):
    """Compute the derived data of ``site`` as anonymous visitors see it at ``now``."""
    memo = {}
    nonempty = set()

    def collect(folder):
        if _has_content(folder, memo, site, now):
            nonempty.add(path_of(folder))
        for name in folder.container_names():
            collect(folder[name])

    collect(site)
    scan = newest_below(site, FEATURED_SCAN, types=("NewsItem",), site=site, now=now)
    featured = next((obj for obj in scan if obj.featured), scan[0] if scan else None)
    latest = [obj for obj in scan if obj is not featured][:LATEST_SIZE]
    # The home page shows each item once: blocks skip what the top of the page already shows.
    shown = {id(obj) for obj in latest} | {id(featured)}
    menu, blocks, link_groups = [], [], []
    for name in site:
        section = site[name]
        if section.type_name == "Link" and section.in_menu \
                and anonymous_may_view(section, site, now):
            menu.append(_menu_entry(section, nonempty, 1, site, now))
            continue
        if not section.is_container or path_of(section) not in nonempty:
            continue
        if section.in_menu:
            menu.append(_menu_entry(section, nonempty, 1, site, now))
            candidates = newest_below(section, HOME_BLOCK_SIZE + LATEST_SIZE + 1, site=site,
                                      now=now)
            items = [obj for obj in candidates if id(obj) not in shown][:HOME_BLOCK_SIZE]
            if items:
                blocks.append({"title": section.title, "path": path_of(section),
                               "items": [summary(obj) for obj in items]})
        else:
            link_groups.extend(_link_groups(section, site, now))
    return {
        "menu": menu,
        "blocks": blocks,
        "featured": summary(featured) if featured is not None else None,
        "latest": [summary(obj) for obj in latest],
        "link_groups": link_groups,
        "nonempty": frozenset(nonempty),
        "settings": dict(site.settings),
    }


def _link_groups(section, site, now):
    groups = []
    for name in section.container_names():
        group = section[name]
        if not anonymous_may_view(group, site, now):
            continue
        links = [{"title": obj.title, "url": obj.url} for obj in group.values()
                 if obj.type_name == "Link" and anonymous_may_view(obj, site, now)]
        if links:
            groups.append({"title": group.title, "links": links})
    return groups


def site_data(request):
    """The derived data for this request's site, rebuilt only when the site has changed or
    the clock has passed a publication or expiry date since it was built.

    The cache entry is (version, built, until, data): valid while the change counter is
    ``version`` and ``built <= now < until`` (timestamps; ``until`` None when nothing is
    scheduled), so in effect it is keyed on (version, next boundary).
    """
    site = request.root
    now = request.registry.portal_clock.now()
    db_key = id(site._p_jar.db()) if site._p_jar is not None else id(site)
    if site.changes._p_changed:
        # This transaction has changed content and may yet abort: its counter value could be
        # reused by another commit, so what it sees must not be cached under it.
        return build(site, now)
    version = site.changes()
    when = stamp(now)
    cached = _cache.get(db_key)
    if cached is not None and cached[0] == version and cached[1] <= when \
            and (cached[2] is None or when < cached[2]):
        return cached[3]
    data = build(site, now)
    until = next_boundary(site, now)
    if until is UNKNOWN:
        until = when + UNSCHEDULED_TTL
    with _lock:
        _cache[db_key] = (version, when, until, data)
    return data


def includeme(config):
    for event in (ObjectAdded, ObjectRemoved, ObjectModified):
        config.add_subscriber(content_changed, event)
