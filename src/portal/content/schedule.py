"""Publication and expiry dates that take effect by themselves: the site's schedule.

An item is *active* while its publication date (``effective``) has come and its expiry date
(``expires``) has not. Nobody touches the item when either date passes, so nothing bumps the
change counter that keys the cached menus and home page (``navigation.site_data``). The site
therefore keeps, in ``site.schedule``, the future publication and expiry dates of its items;
the cache holds until the earliest of them after it was built.

The schedule is kept by subscribers (added, modified, removed) and by ``set_effective``, in
write transactions only. Sites made before it existed get it, filled by one walk of the tree,
from evolve step 7 (``portal evolve``, or start-up) or at their first change; reading never
creates it.
"""
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent
from pyramid.threadlocal import get_current_registry

from .events import ObjectAdded, ObjectModified, ObjectRemoved
from .location import EPOCH, find_site, path_of

# After the last character any path may hold: the upper bound of a path range.
_LAST = "\U0010ffff"
# What ``next_boundary`` says of a site without a schedule (made before it existed).
UNKNOWN = object()


def is_active(obj, now):
    """True when ``obj``'s publication date has come and its expiry date has not."""
    effective = getattr(obj, "effective", None)
    expires = getattr(obj, "expires", None)
    return (effective is None or effective <= now) and (expires is None or now < expires)


def stamp(when):
    """Seconds since 1970 of the aware datetime ``when`` (as the date indexes count them)."""
    return (when - EPOCH).total_seconds()


class Schedule(Persistent):
    """Future dates at which an item becomes active or inactive, by site path.

    ``_times`` holds ``(timestamp, path)`` for "what is the next boundary after t"; ``_paths``
    holds path → timestamps, so an item's old dates and a removed folder's subtree are found
    without a scan. Only items with such a date have entries: most edits write nothing here.
    """

    def __init__(self):
        self._times = OOTreeSet()
        self._paths = OOBTree()

    def __len__(self):
        return len(self._paths)

    def set(self, path, stamps):
        """Record ``stamps`` (timestamps) as the dates of the item at ``path``."""
        stamps = tuple(sorted(set(stamps)))
        if self._paths.get(path, ()) == stamps:
            return
        self._drop_one(path)
        if stamps:
            self._paths[path] = stamps
            for when in stamps:
                self._times.add((when, path))

    def drop(self, path):
        """Forget the item at ``path`` and everything below it."""
        self._drop_one(path)
        below = list(self._paths.keys(min=path + "/", max=path + "/" + _LAST)) if path \
            else list(self._paths.keys())
        for name in below:
            self._drop_one(name)

    def _drop_one(self, path):
        for when in self._paths.get(path, ()):
            self._times.discard((when, path))
        if path in self._paths:
            del self._paths[path]

    def next_after(self, when):
        """The earliest recorded timestamp after ``when`` (a timestamp), or None."""
        for key in self._times.keys(min=(when, _LAST)):
            if key[0] > when:
                return key[0]
        return None

    def entries(self):
        """(timestamp, path) in time order."""
        return list(self._times)


def future_stamps(obj, now=None):
    """Timestamps of ``obj``'s publication and expiry dates after ``now`` (all when None)."""
    return [stamp(when) for when in (getattr(obj, "effective", None),
                                     getattr(obj, "expires", None))
            if when is not None and (now is None or when > now)]


def registry_now():
    """The current registry's clock reading, or None without a registered clock."""
    clock = getattr(get_current_registry(), "portal_clock", None)
    return clock.now() if clock is not None else None


def _note_subtree(schedule, obj, path, now):
    schedule.set(path, future_stamps(obj, now))
    if obj.is_container:
        for name, child in obj._children.items():
            _note_subtree(schedule, child, f"{path}/{name}" if path else name, now)


def get_schedule(site, create=False, now=None):
    """``site.schedule``, or None when the site predates it; with ``create`` (write
    transactions only) it is made and filled from the whole tree."""
    schedule = getattr(site, "schedule", None)
    if schedule is None and create:
        schedule = site.schedule = Schedule()
        _note_subtree(schedule, site, "", now)
    return schedule


def next_boundary(site, now):
    """The first moment after ``now`` at which an item becomes active or inactive.

    Returns a timestamp (``stamp``), or None when nothing is scheduled; ``UNKNOWN`` when the
    site has no schedule yet (a site made before it existed, until its first change or
    restart).
    """
    schedule = getattr(site, "schedule", None)
    if schedule is None:
        return UNKNOWN
    return schedule.next_after(stamp(now))


def note_dates(obj, now=None):
    """Record ``obj``'s future dates in its site's schedule (when it is in a site)."""
    site = find_site(obj)
    if site is None or site is obj:
        return
    now = now or registry_now()
    schedule = get_schedule(site, create=True, now=now)
    schedule.set(path_of(obj), future_stamps(obj, now))


def _site_schedule(event):
    site = find_site(event.parent if event.parent is not None else event.object)
    if site is None:
        return None, None
    now = registry_now()
    created = getattr(site, "schedule", None) is None
    schedule = get_schedule(site, create=True, now=now)
    return (None if created else schedule), now


def object_added(event):
    """Subscriber: an added item, with everything inside it (a moved or pasted folder)."""
    schedule, now = _site_schedule(event)
    if schedule is not None:
        _note_subtree(schedule, event.object, path_of(event.object), now)


def object_modified(event):
    """Subscriber: an item's dates may have changed."""
    schedule, now = _site_schedule(event)
    if schedule is not None and event.object.__parent__ is not None:
        schedule.set(path_of(event.object), future_stamps(event.object, now))


def object_removed(event):
    """Subscriber: a removed item or folder leaves the schedule with its whole subtree."""
    schedule, _now = _site_schedule(event)
    if schedule is not None and event.parent is not None:
        parent = path_of(event.parent)
        schedule.drop(f"{parent}/{event.name}" if parent else event.name)


def includeme(config):
    config.add_subscriber(object_added, ObjectAdded)
    config.add_subscriber(object_modified, ObjectModified)
    config.add_subscriber(object_removed, ObjectRemoved)
