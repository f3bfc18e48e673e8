"""Worklist: keys ``(shard, path)``, a sentinel and tuples, so concurrent drafts merge (O1).

Worklists made before were keyed by path alone: drafts added to one section at once wrote
into one bucket, and one editor's bucket split failed the others' saves; an empty worklist
could not merge two first inserts at all, and a bucket of dicts (which cannot be ordered)
could not be merged either. The entries are kept, re-keyed and stored as tuples.
"""
from ..publishing.worklist import SENTINEL, get_worklist, new_worklist


def evolve(site, registry):
    """Re-key ``site.worklist`` (made when missing, so it is never created by two saves)."""
    old = get_worklist(site)
    if old is not None and old and old.minKey() == SENTINEL:
        return
    site.worklist = new_worklist(old.items() if old is not None else ())
