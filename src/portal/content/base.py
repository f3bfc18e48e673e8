"""Base classes of the content tree: a persistent item and a BTree-backed container.

Containers keep their children in an OOBTree with a ``BTrees.Length`` counter (as Substance D's
Folder does) so that a section holding 50,000 news items stays fast to add to, count and page
through. Sections ordered by date keep a ``DateIndex`` of ``(-timestamp, name)`` so the newest
items come first without sorting.
"""
import heapq
import math
import zlib
from itertools import islice

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent
from pyramid.threadlocal import get_current_registry

from .events import ObjectAdded, ObjectRemoved, ObjectWillBeRemoved
from .ids import reserved_names
from .location import EPOCH, find_site, object_at, path_of  # noqa: F401 (their old home)
from .schedule import note_dates

DATE_SHARDS = 16
# The first key of every shard of a date index: never removed, so a shard is never empty and
# its first bucket never loses its first key, two changes BTrees cannot merge.
_FIRST = (-math.inf, "")


def date_shard(name):
    """The shard of a date index holding the child called ``name``."""
    return zlib.crc32(name.encode("utf-8")) % DATE_SHARDS


class DateIndex(Persistent):
    """``(-timestamp, name)`` keys of a section's children, read in order as one set.

    Every new item is the newest: in one tree, editors adding to a section at once would all
    write into its first bucket, and whoever split that bucket would fail the others' saves.
    The keys are spread over ``DATE_SHARDS`` trees by a hash of the name (two adds meet in one
    bucket one time in sixteen) and read back merged, which costs one bucket per shard.
    """

    def __init__(self, keys=()):
        self._shards = tuple(OOTreeSet([_FIRST]) for _n in range(DATE_SHARDS))
        for key in keys:
            self.add(key)

    def add(self, key):
        """Put ``key`` in."""
        self._shards[date_shard(key[1])].add(key)

    def discard(self, key):
        """Take ``key`` out (nothing when it is not there)."""
        self._shards[date_shard(key[1])].discard(key)

    def __contains__(self, key):
        return key in self._shards[date_shard(key[1])]

    def __len__(self):
        return sum(len(shard) - 1 for shard in self._shards)

    def __iter__(self):
        return self.keys()

    def keys(self, min=None, max=None, excludemin=False, excludemax=False):
        """The keys from ``min`` to ``max`` in order, lazily (as ``OOTreeSet.keys``)."""
        ranges = (shard.keys(min=min, max=max, excludemin=excludemin, excludemax=excludemax)
                  for shard in self._shards)
        return (key for key in heapq.merge(*ranges) if key != _FIRST)

    def maxKey(self, key):
        """The largest key at or before ``key``; ValueError when there is none."""
        found = [shard.maxKey(key) for shard in self._shards if shard.minKey() <= key]
        found = [one for one in found if one != _FIRST]
        if not found:
            raise ValueError("no key at or before the one given")
        return max(found)


class Content(Persistent):
    """Anything in the tree. Class-level defaults let old objects gain new attributes."""

    __name__ = None
    __parent__ = None
    type_name = None
    is_container = False
    title = ""
    description = ""
    creator = ""
    created = None
    modified = None
    effective = None
    expires = None

    def __init__(self, title="", description="", **fields):
        self.title = title
        self.description = description
        for key, value in fields.items():
            setattr(self, key, value)

    working_copy = None

    def __getitem__(self, name):
        # An item's only sub-object: its working copy under review (publishing/working_copy.py).
        if name == "working-copy" and self.working_copy is not None:
            return self.working_copy
        raise KeyError(name)

    def set_dates(self, now, effective=None):
        """Stamp creation, modification and publication dates (``now`` from the clock)."""
        if self.created is None:
            self.created = now
        self.modified = now
        self.set_effective(effective or self.effective or now)

    def set_effective(self, when):
        """Change the publication date, keeping the parent's date order in step."""
        parent = self.__parent__
        if parent is not None and parent.is_container:
            parent._unindex_date(self)
        self.effective = when
        if parent is not None and parent.is_container:
            parent._index_date(self)
            # Also without an event (profiles date an item after adding it): a future date
            # must reach the site's schedule, or cached menus would never show the item.
            note_dates(self)

    @property
    def sort_date(self):
        """The date listings sort by: effective, else created, else the epoch."""
        return self.effective or self.created or EPOCH


class Container(Content):
    """Content holding children by name, in manual order or newest first."""

    is_container = True
    order = "manual"

    def __init__(self, title="", description="", **fields):
        super().__init__(title, description, **fields)
        self._children = OOBTree()
        self._count = Length(0)
        self._manual = ()
        self._by_date = DateIndex()
        self._containers = OOTreeSet()

    # mapping protocol -------------------------------------------------------------------
    def __getitem__(self, name):
        return self._children[name]

    def get(self, name, default=None):
        """The child called ``name``, or ``default``."""
        return self._children.get(name, default)

    def __contains__(self, name):
        return name in self._children

    def __len__(self):
        return self._count()

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        """Children's names in the container's order."""
        if self.order == "date":
            return [name for _key, name in self._by_date]
        return list(self._manual)

    def values(self):
        """Children in the container's order."""
        return [self._children[name] for name in self.keys()]

    def items(self):
        """(name, child) pairs in the container's order."""
        return [(name, self._children[name]) for name in self.keys()]

    def container_names(self):
        """Names of the children that are containers themselves (sections), in order."""
        if self.order == "date":
            # Sections are few; the items of a date-ordered folder may be tens of thousands.
            return sorted(self._containers, key=lambda name: self._children[name]._date_key)
        return [name for name in self._manual if name in self._containers]

    def newest(self, start=0, stop=None):
        """Children newest first, sliced without materialising the whole folder."""
        return list(islice(self.newest_first(), start, stop))

    def newest_first(self):
        """Children newest first, each loaded only when it is read."""
        return (self._children[name] for _key, name in self._by_date)

    # changes ----------------------------------------------------------------------------
    def check_name(self, name):
        """Refuse names that are empty, reserved, taken or unsafe in a URL."""
        if not name or not isinstance(name, str):
            raise ValueError("empty name")
        if name.startswith(("@@", "_", ".", "+")) or "/" in name or name in reserved_names():
            raise ValueError(f"reserved name: {name!r}")
        if name in self._children:
            raise KeyError(f"name already in use: {name!r}")
        return name

    def add(self, name, obj, send_events=True, registry=None):
        """Put ``obj`` here under ``name`` and announce it."""
        self.check_name(name)
        obj.__name__ = name
        obj.__parent__ = self
        self._children[name] = obj
        self._count.change(1)
        if self.order != "date":
            # Date-ordered sections may hold tens of thousands of items: no name tuple there.
            self._manual = self._manual + (name,)
        self._index_date(obj)
        if obj.is_container:
            self._containers.add(name)
        if send_events:
            (registry or get_current_registry()).notify(ObjectAdded(obj, self, name))
        return obj

    def remove(self, name, send_events=True, registry=None):
        """Take the child ``name`` out and announce it; returns the child."""
        obj = self._children[name]
        registry = registry or get_current_registry()
        if send_events:
            registry.notify(ObjectWillBeRemoved(obj, self, name))
        self._unindex_date(obj)
        del self._children[name]
        self._count.change(-1)
        self._manual = tuple(n for n in self._manual if n != name)
        self._containers.discard(name)
        if send_events:
            registry.notify(ObjectRemoved(obj, self, name))
        return obj

    def set_order(self, order):
        """Switch between ``manual`` order and ``date`` order (newest first)."""
        if order not in ("manual", "date"):
            raise ValueError(order)
        if order == "manual" and self.order == "date":
            self._manual = tuple(name for _key, name in self._by_date)
        elif order == "date":
            self._manual = ()
        self.order = order

    def move(self, name, position):
        """Put child ``name`` at ``position`` of the manual order."""
        names = [n for n in self._manual if n != name]
        if name not in self._children or self.order != "manual":
            raise KeyError(name)
        names.insert(max(0, position), name)
        self._manual = tuple(names)

    def _sort_key(self, obj):
        return (-(obj.sort_date - EPOCH).total_seconds(), obj.__name__)

    def _index_date(self, obj):
        key = self._sort_key(obj)
        obj._date_key = key
        self._by_date.add(key)

    def _unindex_date(self, obj):
        key = getattr(obj, "_date_key", None)
        if key is not None:
            self._by_date.discard(key)
