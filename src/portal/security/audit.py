"""The audit log (O4): who did what, to what, when and from where, newest first.

Entries are plain tuples ``(time, actor, action, target, details, address)`` in an ``LOBTree``
whose keys grow more negative with time, so "newest first, page 3" is a walk from the start of
the tree, never a sort. A key is ``-(milliseconds since 1970 * SLOTS + n)``: ``n`` orders the
entries recorded within the same millisecond, and is drawn at random (above any ``n`` already
seen in that millisecond), so two requests writing at the same instant pick different keys and
their inserts merge instead of conflicting. One ``OOTreeSet`` of ``(field, value, key)``
(``field`` is "actor" or "action") answers the usual filters without loading entries: a range
of it is one actor's or one action's keys in the same order. A first entry of a new actor adds
members to that set, never a new persistent object, so it merges with concurrent writers like
any other; a ``BTrees.Length`` counts the entries, so the count never conflicts either.

Views record with ``audit(request, action, ...)`` inside the request's transaction: what is
rolled back is not logged. Nothing here ever writes from a page view: a site made before the
log existed gets it on its first write (``get_audit_log(site, create=True)``).
"""
import logging
import secrets
from collections import namedtuple
from datetime import UTC, datetime

from BTrees.Length import Length
from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOTreeSet
from persistent import Persistent

from ..i18n import _

log = logging.getLogger(__name__)

# The declared actions, in the order the filter lists them, with their labels.
ACTIONS = {
    "login": _("Signed in"),
    "login-failed": _("Sign-in failed"),
    "lockout": _("Sign-in locked"),
    "logout": _("Signed out"),
    "twostep-enrolled": _("Two-step sign-in set up"),
    "twostep-reenrolled": _("Two-step sign-in replaced"),
    "twostep-reset": _("Two-step sign-in reset"),
    "roles-changed": _("Roles changed"),
    "roles-change-refused": _("Own roles not changed (refused)"),
    "inheritance-blocked": _("Role inheritance blocked"),
    "inheritance-restored": _("Role inheritance restored"),
    "deleted": _("Deleted"),
    "restored": _("Restored from the trash"),
    "trash-purged": _("Removed from the trash for good"),
    "moved": _("Moved"),
    "renamed": _("Renamed"),
    "user-added": _("User added"),
    "user-changed": _("User changed"),
    "user-deactivated": _("User deactivated"),
    "group-added": _("Group added"),
    "group-changed": _("Group changed"),
    "password-reset": _("Password reset"),
    "password-reset-email": _("Password reset by e-mail"),
    "workflow-policy": _("Workflow policy changed"),
    "transition": _("State changed"),
}

# Longest stored text of each field; longer values are cut (targets are paths or logins,
# details a short sentence).
MAX_ACTOR = 200
MAX_TARGET = 500
MAX_DETAILS = 500
MAX_ADDRESS = 64

SLOTS = 1_000_000                     # entries that can share one millisecond
# The random part of a key: a first entry of a millisecond lands anywhere in its first half,
# each later one up to STEP slots after the one before (so at least SLOTS // 2 // STEP entries
# always fit in one millisecond).
STEP = 1000
FIELDS = ("actor", "action")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KEY_MIN, _KEY_MAX = -(2 ** 63), 2 ** 63 - 1

Entry = namedtuple("Entry", "time actor action target details address")
Entry.__doc__ = "One audit entry (stored as a plain tuple; this class only names its fields)."


def _millis(when):
    """Whole milliseconds from 1970 to the aware datetime ``when`` (floored)."""
    delta = when - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _clamp(key):
    return min(max(key, _KEY_MIN), _KEY_MAX)


def _clean(value, size):
    """``value`` as one line of at most ``size`` characters (no line breaks, no tabs)."""
    return " ".join(str(value or "").split())[:size]


class AuditLog(Persistent):
    """The portal's audit entries, newest first."""

    def __init__(self):
        self._entries = LOBTree()
        self._index = OOTreeSet()      # (field, value, key) for each entry and field
        self._count = Length(0)

    def __len__(self):
        return self._count()

    # writing

    def record(self, when, actor, action, target="", details="", address=""):
        """Add an entry at the aware datetime ``when``; returns it as an ``Entry``.

        ``action`` must be one of ``ACTIONS``; text fields are cut to their maximum length and
        kept to one line.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("the time of an audit entry must be timezone-aware")
        when = when.astimezone(UTC)
        entry = (when, _clean(actor, MAX_ACTOR), action, _clean(target, MAX_TARGET),
                 _clean(details, MAX_DETAILS), _clean(address, MAX_ADDRESS))
        key = self._new_key(when)
        self._entries[key] = entry
        self._index.add(("actor", entry[1], key))
        self._index.add(("action", action, key))
        self._count.change(1)
        return Entry(*entry)

    def _new_key(self, when):
        """A free key placing ``when`` after every entry already in its millisecond, at a
        random distance from them (another transaction of the same instant picks another)."""
        newest = -(_millis(when) * SLOTS)            # the first key of the millisecond
        oldest = newest - (SLOTS - 1)                # its last possible key
        if not (_KEY_MIN <= oldest and newest <= _KEY_MAX):
            raise ValueError(f"audit time out of range: {when.isoformat()}")
        try:
            taken = self._entries.minKey(oldest)     # the most recent entry of that millisecond
        except ValueError:                           # nothing at or after it
            taken = None
        if taken is None or taken > newest:
            return newest - secrets.randbelow(SLOTS // 2)
        if taken == oldest:
            raise OverflowError("too many audit entries in one millisecond")
        return taken - 1 - secrets.randbelow(min(STEP, taken - oldest))

    # reading

    def query(self, actor=None, action=None, target_prefix=None, target_contains=None,
              since=None, until=None, start=0, limit=50):
        """``(entries, total)``: the matching entries ``start:start + limit``, newest first,
        and how many match in all.

        ``actor`` and ``action`` match exactly; ``target_prefix`` starts the target,
        ``target_contains`` is found anywhere in it (ignoring case); ``since`` (included) and
        ``until`` (excluded) are aware datetimes. Without a text filter only the entries shown
        are loaded: the indexes and the order of the keys do the rest.
        """
        start, limit = max(0, int(start)), max(0, int(limit))
        keys, test = self._select(actor, action, target_prefix, target_contains, since, until)
        everything = keys is None
        if everything:
            keys = self._entries.keys()
        if test is None:
            total = self._count() if everything else len(keys)
            return [self._entry(key) for key in keys[start:start + limit]], total
        entries, total = [], 0
        for entry in self._matching(keys, test):
            if start <= total < start + limit:
                entries.append(entry)
            total += 1
        return entries, total

    def iterate(self, actor=None, action=None, target_prefix=None, target_contains=None,
                since=None, until=None):
        """Every matching entry, newest first, loaded lazily (for exports)."""
        keys, test = self._select(actor, action, target_prefix, target_contains, since, until)
        if keys is None:
            keys = self._entries.keys()
        return self._matching(keys, test)

    def _indexed_keys(self, filters, low, high):
        """The keys between ``low`` and ``high`` (None: unbounded) of the entries matching
        every ``(field, value)`` of ``filters``, newest first."""
        ranges = [_IndexRange(self._index, field, value, low, high) for field, value in filters]
        if len(ranges) == 1:
            return ranges[0]
        smallest = min(ranges, key=len)
        others = [r for r in ranges if r is not smallest]
        return [key for key in smallest if all(key in other for other in others)]

    def _entry(self, key):
        return Entry(*self._entries[key])

    def _matching(self, keys, test):
        for key in keys:
            entry = self._entry(key)
            if test is None or test(entry):
                yield entry

    def _select(self, actor, action, target_prefix, target_contains, since, until):
        """The candidate keys (None: all of them) and the test left for each entry (or None).

        The keys come from the indexes and the time range; only text filters and times
        finer than a millisecond need a look at the entries.
        """
        low = high = None
        exact_since = exact_until = False
        if since is not None:
            high = _clamp(-(_millis(since) * SLOTS))         # that millisecond and later
            exact_since = since.microsecond % 1000 != 0
        if until is not None:
            millis = _millis(until)
            exact_until = until.microsecond % 1000 != 0
            # before that millisecond, or within it when ``until`` is not on its first instant
            low = _clamp(-(millis * SLOTS) - (SLOTS - 1) if exact_until else -(millis * SLOTS) + 1)
        filters = [(field, value) for field, value in zip(FIELDS, (actor, action))
                   if value is not None]
        if filters:
            keys = self._indexed_keys(filters, low, high)
        elif low is not None or high is not None:
            keys = self._entries.keys(min=low, max=high)
        else:
            keys = None
        tests = []
        if exact_since:
            tests.append(lambda entry: entry.time >= since)
        if exact_until:
            tests.append(lambda entry: entry.time < until)
        if target_prefix:
            tests.append(lambda entry: entry.target.startswith(target_prefix))
        if target_contains:
            folded = target_contains.casefold()
            tests.append(lambda entry: folded in entry.target.casefold())
        if not tests:
            return keys, None
        return keys, (lambda entry: all(test(entry) for test in tests))


class _IndexRange:
    """The keys of one actor's or one action's entries (optionally within a key range), read
    lazily from the index: sliced, counted and iterated like the keys of a BTree."""

    def __init__(self, index, field, value, low, high):
        self._index, self._field, self._value = index, field, value
        self._items = index.keys(min=(field, value, _KEY_MIN if low is None else low),
                                 max=(field, value, _KEY_MAX if high is None else high))

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return (key for _field, _value, key in self._items)

    def __getitem__(self, where):
        return [key for _field, _value, key in self._items[where]]

    def __contains__(self, key):
        return (self._field, self._value, key) in self._index


def get_audit_log(site, create=False):
    """The site's audit log; ``None`` when it has none yet, unless ``create`` (writes only)."""
    audit_log = getattr(site, "audit_log", None)
    if audit_log is None and create:
        audit_log = site.audit_log = AuditLog()
    return audit_log


def audit(request, action, target="", details="", actor=None):
    """Record ``action`` in the log of ``request.root`` at the clock's time; returns the Entry.

    ``actor`` defaults to the signed-in user (``''`` for anonymous); pass it explicitly where
    the request is not yet authenticated (a sign-in). The client address is the request's
    (``request.client_addr``: behind a proxy, waitress's ``trusted_proxy`` settings make it
    the visitor's). The entry is part of the request's transaction.
    """
    if actor is None:
        actor = request.authenticated_userid or ""
    entry = get_audit_log(request.root, create=True).record(
        request.registry.portal_clock.now(), actor, action, target=target, details=details,
        address=getattr(request, "client_addr", None) or "")  # DummyRequest has none
    log.info("audit %s actor=%r target=%r details=%r address=%s", entry.action, entry.actor,
             entry.target, entry.details, entry.address)
    return entry
