"""The worklist: every item not in a final state, by path, for the review queue and dashboards.

Kept in ``site.worklist`` (an OOBTree ``(shard, path)`` → tuple of ``FIELDS``) by subscribers, so that
the queue and the dashboard read a few entries instead of walking a tree of 100,000 published
articles. Items in a final state (published) are not in it. Entries hold what the pages show:
title, type, workflow, state, creator, and the last transition with its actor, time and comment.

Editors adding drafts to one section at once would all write next to each other (their paths
share the section's prefix), and a bucket split by one of them conflicts with the others. The
shard, a hash of the path, spreads them over the whole tree; a sentinel entry that is never
removed keeps the tree from being empty, since BTrees cannot merge two inserts into nothing.
Entries are stored as tuples, not dicts: BTrees merge a bucket only when they can compare its
unchanged values, and dicts cannot be ordered.
"""
import zlib

from BTrees.OOBTree import OOBTree

from workflow import history_of

from ..content.base import find_site as site_of
from ..content.base import path_of

SHARDS = 256
SENTINEL = (-1, "")
FIELDS = ("title", "type", "workflow", "state", "creator", "transition", "actor", "time",
          "comment")


def key_of(path):
    """The worklist key of ``path``: ``(shard, path)``."""
    return (zlib.crc32(path.encode("utf-8")) % SHARDS, path)


def new_worklist(entries=()):
    """A worklist holding the ``(path, entry)`` pairs of ``entries``."""
    tree = OOBTree()
    tree[SENTINEL] = None
    for path, entry in entries:
        tree[key_of(path)] = stored(entry)
    return tree


def stored(entry):
    """The entry (a dict of ``FIELDS``) as the worklist stores it."""
    return tuple(entry.get(name) for name in FIELDS)


def get_worklist(site):
    """The site's worklist; None only on a site older than evolve step 2, which makes it."""
    return getattr(site, "worklist", None)


def _is_final(obj, registry_workflows):
    wf = registry_workflows.get(getattr(obj, "workflow_id", None))
    return wf is None or wf.states[obj.workflow_state].final


def entry_for(obj):
    """The worklist entry of ``obj``."""
    history = history_of(obj)
    last = history[-1] if history else {}
    return {
        "title": obj.title, "type": obj.type_name, "workflow": obj.workflow_id,
        "state": obj.workflow_state, "creator": obj.creator or "",
        "transition": last.get("transition"), "actor": last.get("actor") or "",
        "time": last.get("time"), "comment": last.get("comment") or "",
    }


def reindex(obj, workflows):
    """Bring ``obj``'s entry up to date: added, changed or dropped (``workflows``: the
    registry's)."""
    site = site_of(obj)
    if site is None or obj is site or getattr(obj, "workflow_id", None) is None:
        return
    path = path_of(obj)
    final = _is_final(obj, workflows)
    worklist = site.worklist  # made with the site, or by evolve step 2
    key = key_of(path)
    if final:
        if key in worklist:
            del worklist[key]
    else:
        worklist[key] = stored(entry_for(obj))


def reindex_tree(obj, workflows):
    """Reindex ``obj`` and everything below it (its working copy too)."""
    reindex(obj, workflows)
    if getattr(obj, "working_copy", None) is not None:
        reindex(obj.working_copy, workflows)
    if obj.is_container:
        for name in obj:
            reindex_tree(obj[name], workflows)


def unindex_tree(obj, parent, name):
    """Drop the entries of ``obj`` (which just left ``parent`` under ``name``) and below."""
    site = site_of(parent)
    worklist = get_worklist(site) if site is not None else None
    if not worklist:
        return
    base = "/".join(p for p in (path_of(parent), name) if p)
    for shard in range(SHARDS):
        for key in list(worklist.keys(min=(shard, base), max=(shard, base + "/\U0010ffff"))):
            if key[1] == base or key[1].startswith(base + "/"):
                del worklist[key]


def entries(site, **match):
    """(path, entry) pairs whose fields equal ``match``, in path order."""
    worklist = get_worklist(site)
    if not worklist:
        return []
    found = ((path, dict(zip(FIELDS, values))) for (_shard, path), values in worklist.items()
             if values is not None)
    return sorted((path, entry) for path, entry in found
                  if all(entry.get(key) == value for key, value in match.items()))
