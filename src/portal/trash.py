"""The trash: deleted items wait in it for a Manager to restore them, until purged.

Deleting takes an item (with everything inside it) out of its folder through the write API
(``Container.remove``: the catalog, the worklist, the schedule and the menus forget it at once,
as for any removal) and keeps it in ``site.trash``, an attribute of the site that traversal
never reaches: no URL leads into it, and nothing in it is indexed. Each entry records who
deleted it, when, where it stood and at which position of a hand-ordered folder.

Restoring adds the item back at its place, which fires ``ObjectAdded`` as a move does: it is
indexed again and keeps its workflow state. ``portal purge-trash`` drops the entries older
than ``portal.trash_days`` (the objects go with the next pack of the database); no page view
ever does.
"""
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.exceptions import ConfigurationError

from .content.base import object_at, path_of

DEFAULT_DAYS = 30


class TrashEntry(Persistent):
    """One deleted item: the object, where it stood, who deleted it and when."""

    def __init__(self, obj, path, position, deleted_by, deleted_at):
        self.obj = obj
        self.path = path
        self.position = position
        self.deleted_by = deleted_by
        self.deleted_at = deleted_at
        self.title = obj.title or obj.__name__
        self.type_name = obj.type_name
        # Direct children only: counting a whole section would load every item in it.
        self.inside = len(obj) if obj.is_container else 0

    @property
    def parent_path(self):
        """The path of the folder the item was deleted from ('' for the site)."""
        return self.path.rpartition("/")[0]

    @property
    def name(self):
        """The item's name in that folder."""
        return self.path.rpartition("/")[2]


class Trash(Persistent):
    """The deleted items of a site, by key ``"<milliseconds>-<random>"`` (oldest first)."""

    def __init__(self):
        self._entries = OOBTree()

    def add(self, key, entry):
        """Keep ``entry`` under ``key``."""
        self._entries[key] = entry

    def get(self, key):
        """The entry under ``key``, or None."""
        return self._entries.get(key) if isinstance(key, str) else None

    def pop(self, key):
        """Take the entry under ``key`` out and return it."""
        return self._entries.pop(key)

    def entries(self):
        """``(key, entry)`` pairs, the most recently deleted first."""
        return list(reversed(self._entries.items()))

    def __len__(self):
        return len(self._entries)


def get_trash(site):
    """The site's trash (made with the site, or by evolve step 6 for older ones)."""
    return site.trash


def trash_days(settings):
    """How many days deleted items stay restorable (``portal.trash_days``, default 30)."""
    value = str(settings.get("portal.trash_days", DEFAULT_DAYS)).strip()
    if not value.isdigit() or int(value) < 1:
        raise ConfigurationError(
            f"portal.trash_days must be a whole number of days, at least 1 (not {value!r})")
    return int(value)


def move_to_trash(site, obj, actor, now, registry):
    """Take ``obj`` out of its folder into the trash; returns the entry's key."""
    parent, name = obj.__parent__, obj.__name__
    position = None
    if parent.order == "manual" and name in parent._manual:
        position = list(parent._manual).index(name)
    entry = TrashEntry(obj, path_of(obj), position, actor, now)
    parent.remove(name, registry=registry)
    # Detached: nothing below it finds the site, so nothing can index it while it waits here.
    obj.__parent__ = None
    key = f"{int(now.timestamp() * 1000):015d}-{registry.portal_random.token(6)}"
    get_trash(site).add(key, entry)
    return key


class RestoreRefused(Exception):
    """The item cannot go back: ``reason`` is ``gone`` (its folder no longer exists) or
    ``taken`` (another item has its name there)."""

    def __init__(self, reason, entry):
        super().__init__(reason)
        self.reason = reason
        self.entry = entry


def restore(site, key, registry):
    """Put the item under ``key`` back where it was; returns it. Raises ``KeyError`` for an
    unknown key and ``RestoreRefused`` when its place is gone or its name taken."""
    trash = get_trash(site)
    entry = trash.get(key)
    if entry is None:
        raise KeyError(key)
    parent = object_at(site, entry.parent_path)
    if parent is None or not parent.is_container:
        raise RestoreRefused("gone", entry)
    if entry.name in parent:
        raise RestoreRefused("taken", entry)
    trash.pop(key)
    obj = entry.obj
    parent.add(entry.name, obj, registry=registry)
    if entry.position is not None and parent.order == "manual":
        parent.move(entry.name, entry.position)
    return obj


def expired(site, now, days):
    """``(key, entry)`` of the items deleted more than ``days`` days before ``now``."""
    limit = now - timedelta(days=days)
    return [(key, entry) for key, entry in get_trash(site).entries()
            if entry.deleted_at <= limit]


def purge(site, now, days):
    """Drop the entries older than ``days`` days at ``now``; returns them."""
    trash = get_trash(site)
    found = expired(site, now, days)
    for key, _entry in found:
        trash.pop(key)
    return [entry for _key, entry in found]
