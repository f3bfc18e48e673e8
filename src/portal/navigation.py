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
import threading

from BTrees.IFBTree import IFSet, difference, intersection, multiunion
from transaction.interfaces import NoTransaction

from .catalog import get_catalog
from .catalog.search import object_at, public
from .content.base import find_site, path_of
from .content.events import ObjectAdded, ObjectModified, ObjectRemoved
from .content.schedule import UNKNOWN, next_boundary, stamp
from .content.typeinfo import types_where
from .security.policy import anonymous_may_view, public_by_state

HOME_BLOCK_SIZE = 5
LATEST_SIZE = 6
FEATURED_SCAN = 50
# How long derived data of a site without a schedule (made before it existed) is trusted.
UNSCHEDULED_TTL = 300

_cache = {}
_lock = threading.Lock()


def content_changed(event):
    """Subscriber: note the changed object; at commit, if what anonymous visitors may see was
    added, changed or removed (by its state: its dates may have just changed), the derived
    data goes stale in every process, since the counter is in the database.

    Decided at commit, not now: another subscriber (the workflow's) may not have given a new
    object its state yet, whatever order the packages were included in. Saving, adding or
    removing a draft or a working copy keeps the public fragments.
    """
    site = find_site(event.parent if event.parent is not None else event.object)
    if site is None:
        return
    if site._p_jar is None:  # a site made in this transaction: nothing is cached for it
        site.changes.change(1)
        return
    txn = site._p_jar.transaction_manager.get()
    try:
        noted = txn.data(_NOTED)
    except KeyError:
        noted = []
        txn.set_data(_NOTED, noted)
        txn.addBeforeCommitHook(_bump_if_public, (site, noted))
    noted.append(event.object)


# The key of the objects noted in a transaction (``Transaction.data``).
_NOTED = object()


def _bump_if_public(site, noted):
    if any(public_by_state(obj, site) for obj in noted):
        site.changes.change(1)


def _noted_changes(site):
    """True when this transaction noted changes whose effect is decided at its commit."""
    if site._p_jar is None:
        return False
    try:
        return bool(site._p_jar.transaction_manager.get().data(_NOTED))
    except (KeyError, NoTransaction):  # nothing noted, or no transaction begun (read only)
        return False


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


class PublicView:
    """What anonymous visitors may see of ``site`` at ``now``, read from the catalog.

    An item counts when the catalog lets Anonymous view it at ``now`` and no folder above it
    is hidden from them: menus, blocks and non-empty sections agree with what a visitor can
    reach by following links. Items are never loaded to find out; only those shown are.
    """

    def __init__(self, site, now):
        self.site = site
        catalog, self.docmap = get_catalog(site)
        self.parents = catalog["parents"] if catalog is not None else None
        self.catalog = catalog
        if catalog is None or not anonymous_may_view(site, site, now):
            self.items, self.folders = IFSet(), set()
            return
        _count, seen = public(site, now)
        folders = catalog["is_container"].applyEq(1)
        hidden = multiunion([self.parents.applyEq(self.docmap.address_for_docid(docid))
                             for docid in difference(folders, seen)])
        visible = difference(seen, hidden)
        self.items = difference(visible, folders)
        self.folders = {self.docmap.address_for_docid(docid)
                        for docid in intersection(visible, folders)}

    def nonempty(self):
        """Paths of the sections holding something visible ('' for the site)."""
        found = {path for path in self.folders
                 if intersection(self.parents.applyEq(path), self.items)}
        return found | {""} if self.items else found

    def newest(self, path, count, types):
        """The ``count`` newest visible items of ``types`` below the section at ``path``."""
        if not self.items:
            return []
        below = intersection(self.items, self.parents.applyEq(path))
        below = intersection(below, self.catalog["type"].applyAny(list(types)))
        return self._objects(self.catalog["effective"].sort(below, reverse=True, limit=count))

    def children(self, folder, types):
        """The visible children of ``folder`` of ``types``, in the folder's order."""
        if not self.items:
            return []
        here = intersection(self.items, self.catalog["parent"].applyEq(path_of(folder)))
        here = intersection(here, self.catalog["type"].applyAny(list(types)))
        found = [obj for obj in self._objects(here) if obj.__parent__ is folder]
        if folder.order == "date":
            return sorted(found, key=lambda obj: obj._date_key)
        position = {name: n for n, name in enumerate(folder._manual)}
        return sorted(found, key=lambda obj: position.get(obj.__name__, len(position)))

    def _objects(self, docids):
        return [obj for obj in (object_at(self.site, docid) for docid in docids)
                if obj is not None]


def _menu_entry(obj, view, nonempty, depth, kinds):
    entry = {"title": obj.title, "path": path_of(obj), "url": None, "children": []}
    if obj.type_name in kinds["menu_link"]:
        entry["url"] = obj.url
        return entry
    if depth < 2:
        links = {id(link) for link in view.children(obj, kinds["menu_link"])}
        for name in obj.keys() if obj.order != "date" else obj.container_names():
            child = obj[name]
            wanted = path_of(child) in nonempty if child.is_container else id(child) in links
            if wanted and getattr(child, "in_menu", False):
                entry["children"].append(_menu_entry(child, view, nonempty, depth + 1, kinds))
    return entry


def build(site, now, registry):
    """Compute the derived data of ``site`` as anonymous visitors see it at ``now``; the
    types of ``registry`` say which items are fed, may be featured, and link out in menus."""
    kinds = {flag: types_where(flag, registry) for flag in ("fed", "featured", "menu_link")}
    view = PublicView(site, now)
    nonempty = view.nonempty()
    scan = view.newest("", FEATURED_SCAN, kinds["featured"])
    featured = next((obj for obj in scan if obj.featured), scan[0] if scan else None)
    latest = [obj for obj in scan if obj is not featured][:LATEST_SIZE]
    # The home page shows each item once: blocks skip what the top of the page already shows.
    shown = {id(obj) for obj in latest} | {id(featured)}
    menu, blocks, link_groups = [], [], []
    links = {id(link) for link in view.children(site, kinds["menu_link"])}
    for name in site:
        section = site[name]
        if section.type_name in kinds["menu_link"] and section.in_menu and id(section) in links:
            menu.append(_menu_entry(section, view, nonempty, 1, kinds))
            continue
        if not section.is_container or path_of(section) not in nonempty:
            continue
        if section.in_menu:
            menu.append(_menu_entry(section, view, nonempty, 1, kinds))
            candidates = view.newest(path_of(section), HOME_BLOCK_SIZE + LATEST_SIZE + 1,
                                     kinds["fed"])
            items = [obj for obj in candidates if id(obj) not in shown][:HOME_BLOCK_SIZE]
            if items:
                blocks.append({"title": section.title, "path": path_of(section),
                               "items": [summary(obj) for obj in items]})
        else:
            link_groups.extend(_link_groups(section, view, kinds["menu_link"]))
    return {
        "menu": menu,
        "blocks": blocks,
        "featured": summary(featured) if featured is not None else None,
        "latest": [summary(obj) for obj in latest],
        "link_groups": link_groups,
        "nonempty": frozenset(nonempty),
        "settings": dict(site.settings),
    }


def _link_groups(section, view, link_types):
    groups = []
    for name in section.container_names():
        group = section[name]
        if path_of(group) not in view.folders:
            continue
        links = [{"title": obj.title, "url": obj.url}
                 for obj in view.children(group, link_types)]
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
    if site.changes._p_changed or _noted_changes(site):
        # This transaction has changed content and may yet abort: its counter value could be
        # reused by another commit, so what it sees must not be cached under it.
        return build(site, now, request.registry)
    version = site.changes()
    when = stamp(now)
    cached = _cache.get(db_key)
    if cached is not None and cached[0] == version and cached[1] <= when \
            and (cached[2] is None or when < cached[2]):
        return cached[3]
    data = build(site, now, request.registry)
    until = next_boundary(site, now)
    if until is UNKNOWN:
        until = when + UNSCHEDULED_TTL
    with _lock:
        _cache[db_key] = (version, when, until, data)
    return data


def last_site_data(db):
    """The derived data last built for the database ``db``, however old, or None.

    For the page saying the database cannot be reached: it shows the menus this process last
    knew without loading anything.
    """
    cached = _cache.get(id(db))
    return cached[3] if cached is not None else None


def includeme(config):
    for event in (ObjectAdded, ObjectRemoved, ObjectModified):
        config.add_subscriber(content_changed, event)
