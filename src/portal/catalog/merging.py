"""The text index's word → documents tree, whose buckets merge concurrent changes (O1).

zope.index keeps, for each word, a dict ``{docid: weight}`` while fewer than ten documents have
it. Indexing a document rewrites the entry of every word it holds, and BTrees merge a bucket
only when they can order its unchanged values: dicts cannot be ordered, so two documents saved
at once conflicted whenever their words shared a bucket. Here a bucket merges entry by entry:
an entry changed on one side only takes that side, two changed dicts merge document by
document, and only the same document given two different weights (or a split bucket, or a
removed first key, which change the tree above) is a conflict.
"""
from BTrees.Interfaces import BTreesConflictError
from BTrees.IOBTree import IOBTree, IOBucket
from ZODB.ConflictResolution import PersistentReference

_MISSING = object()


def _conflict(reason):
    return BTreesConflictError(-1, -1, -1, reason)


def _same(a, b):
    """Equality that also holds for a word's IFBTree, which conflict resolution sees as a
    ``PersistentReference`` (comparing two of those, or one with a dict, raises ValueError);
    the tree's own changes are that tree's to merge, the reference here stays the same."""
    if isinstance(a, PersistentReference) or isinstance(b, PersistentReference):
        return isinstance(a, PersistentReference) and isinstance(b, PersistentReference) \
            and a.oid == b.oid
    return a == b


def _pairs(state):
    if state is None:
        return {}, None
    flat = state[0]
    return dict(zip(flat[::2], flat[1::2])), (state[1] if len(state) > 1 else None)


def _merge_dicts(old, committed, new):
    result = dict(old)
    for docid in set(committed) | set(new) | set(old):
        o, c, n = (d.get(docid, _MISSING) for d in (old, committed, new))
        if c == n or n == o:
            value = c
        elif c == o:
            value = n
        else:
            raise _conflict(1)
        if value is _MISSING:
            result.pop(docid, None)
        else:
            result[docid] = value
    return result


def merge_states(old, committed, new):
    """The merged state of a bucket from its three states (None: empty)."""
    o_items, o_next = _pairs(old)
    c_items, c_next = _pairs(committed)
    n_items, n_next = _pairs(new)
    if c_next != o_next or n_next != o_next:
        raise _conflict(0)
    if not c_items or not n_items:
        raise _conflict(12)
    first = min(o_items) if o_items else None
    merged = {}
    for key in sorted(set(o_items) | set(c_items) | set(n_items)):
        o, c, n = (d.get(key, _MISSING) for d in (o_items, c_items, n_items))
        if _same(c, n) or _same(n, o):
            value = c
        elif _same(c, o):
            value = n
        elif all(isinstance(v, dict) or v is _MISSING for v in (o, c, n)) and \
                _MISSING not in (c, n):
            value = _merge_dicts({} if o is _MISSING else o, c, n)
        else:
            raise _conflict(1)
        if value is _MISSING:
            if key == first:
                raise _conflict(13)
            continue
        merged[key] = value
    if not merged:
        raise _conflict(10)
    flat = tuple(item for key in sorted(merged) for item in (key, merged[key]))
    return (flat,) if o_next is None else (flat, o_next)


class WordInfoBucket(IOBucket):
    """A bucket of ``WordInfoTree``."""

    def _p_resolveConflict(self, old, committed, new):
        return merge_states(old, committed, new)


class WordInfoTree(IOBTree):
    """word id → ``{docid: weight}`` (or an IFBTree), merging as ``WordInfoBucket`` does."""

    _bucket_type = WordInfoBucket

    def _p_resolveConflict(self, old, committed, new):
        # A tree small enough to hold its one bucket inline: that bucket's state, wrapped.
        states = [s if s is None else _inline(s) for s in (old, committed, new)]
        return ((merge_states(*states),),)


def _inline(state):
    if len(state) != 1 or len(state[0]) != 1:
        raise _conflict(11)
    return state[0][0]
