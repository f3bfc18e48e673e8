"""Audit log: one set of (field, value, key) instead of a set of keys per actor and action.

Logs made before held ``_by_actor`` and ``_by_action`` (value → ``LOTreeSet`` of keys): the
first entry of a new actor made a new persistent set, so two first sign-ins of one person at
once conflicted. Their keys move into ``AuditLog._index``; entries and their keys stay.
"""
from BTrees.OOBTree import OOTreeSet

from ..security.audit import get_audit_log


def evolve(site, registry):
    """Fill the log's ``_index`` from its old per-value sets and drop them."""
    log = get_audit_log(site)
    if log is None or "_index" in log.__dict__:
        return
    index = OOTreeSet()
    for field, old in (("actor", log.__dict__.get("_by_actor")),
                       ("action", log.__dict__.get("_by_action"))):
        for value, keys in (old.items() if old is not None else ()):
            index.update((field, value, key) for key in keys)
    log._index = index
    for name in ("_by_actor", "_by_action"):
        log.__dict__.pop(name, None)
    log._p_changed = True
