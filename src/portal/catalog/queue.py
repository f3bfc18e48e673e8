"""Indexing just after the save, in a short transaction of its own.

Every save of a news item changes the same few places of the catalog: the newest end of the
date indexes, the set of documents of its type and state, the text index's new words. Two
saves at once conflict there, and ZODB cannot merge those changes. Made in the save's own
transaction, such a conflict would send the whole save (its image scales, its revisions)
through pyramid_retry again and again, and fail it when the editors are many.

So a save only notes, in the site's ``IndexQueue``, which paths changed and how (``index``:
the object alone; ``tree``: it and everything below; ``remove``: what was there has left).
The queue is sharded on a random key and never emptied, so two saves always merge their
notes. Once the save has committed, its notes are applied to the catalog in a new
transaction of a few milliseconds, tried again up to ``ATTEMPTS`` times on a conflict, before
the response leaves. One thread of the process at a time applies notes, all those waiting
at once, so concurrent saves of one process never conflict in their indexing. A note left behind (a crash between the two transactions, every attempt
conflicting) is applied by the next save that finds it older than ``STALE_AFTER``, and at
start-up. Applying a note looks at what the path holds now, so a
note applied late or twice does no harm.
"""
import logging
import threading
import weakref
from datetime import timedelta

import transaction
from BTrees.OOBTree import OOBTree
from persistent import Persistent

from ..content.base import object_at
from ..security.policy import public_by_state
from .indexing import index, index_tree, is_public_path, unindex_path

log = logging.getLogger(__name__)

SHARDS = 64
ATTEMPTS = 10
STALE_AFTER = timedelta(minutes=1)
# Kept in every shard so that none is ever emptied: BTrees cannot merge an insert with a
# concurrent removal that empties the bucket.
SENTINEL = (-1, -1)
# How one note for a path outranks another made in the same transaction.
RANK = {"index": 0, "tree": 1, "remove": 2}
_PENDING = object()  # key of the transaction's own notes in its data


class IndexQueue(Persistent):
    """Notes of paths to (re)index: key ``(milliseconds, random)`` → ``(path, how)``."""

    def __init__(self):
        self._shards = tuple(OOBTree({SENTINEL: None}) for _ in range(SHARDS))

    def _shard(self, key):
        return self._shards[key[1] % SHARDS]

    def put(self, key, path, how):
        """Note that ``path`` needs ``how`` (index, tree or remove)."""
        self._shard(key)[key] = (path, how)

    def take(self, key):
        """The note under ``key``, removed; None when another transaction applied it."""
        shard = self._shard(key)
        note = shard.get(key)
        if note is not None:
            del shard[key]
        return note

    def keys_before(self, millis):
        """Keys of the notes made before ``millis``, oldest first."""
        found = []
        for shard in self._shards:
            for key in shard.keys(min=SENTINEL, excludemin=True):
                if key[0] >= millis:
                    break
                found.append(key)
        return sorted(found)

    def __len__(self):
        return sum(len(shard) - 1 for shard in self._shards)


def get_queue(site):
    """The site's index queue; None only on a site older than evolve step 5, which start-up
    reads before applying the steps."""
    return getattr(site, "index_queue", None)


def millis(when):
    """``when`` as integer milliseconds since 1970."""
    return int(when.timestamp() * 1000)


def note(site, path, how, registry):
    """Note, in the transaction ``site`` is being changed in, that ``path`` needs ``how``;
    the note is applied just after that transaction commits."""
    txn = site._p_jar.transaction_manager.get() if site._p_jar is not None else None
    if txn is None:
        return False
    try:
        pending = txn.data(_PENDING)
    except KeyError:
        pending = {}
        txn.set_data(_PENDING, pending)
        txn.addAfterCommitHook(_after_commit, args=(site._p_jar, site._p_oid, pending,
                                                    registry))
    queue = site.index_queue  # made with the site, or by evolve step 5
    known = pending.get(path)
    if known is not None:
        key, previous = known
        if RANK[how] <= RANK[previous]:
            return True
    else:
        key = (millis(registry.portal_clock.now()),
               int.from_bytes(registry.portal_random.bytes(7), "big"))
    pending[path] = (key, how)
    queue.put(key, path, how)
    return True


def _after_commit(committed, conn, site_oid, pending, registry):
    if not committed or not pending:
        return
    keys = sorted(key for key, _how in pending.values())
    try:
        apply_notes(conn.db(), site_oid, keys, registry)
    except Exception:  # the save is committed; its notes wait for the next pass
        log.exception("indexing after a save failed; its notes stay in the queue")
    if not conn.explicit_transactions:
        # The saving connection already moved to its next transaction (before this hook ran)
        # without seeing the index: code that goes on with it reads what it just saved.
        conn.newTransaction(None, False)


class _Indexer:
    """The notes this process has yet to apply to one database, and the lock that lets one
    thread at a time apply them: the threads' indexing transactions would otherwise conflict
    with each other at every save. The thread holding the lock applies every note waiting,
    its own and those of the saves that finished meanwhile, in one transaction."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waiting = set()
        self._guard = threading.Lock()

    def add(self, keys):
        with self._guard:
            self.waiting.update(keys)

    def take(self):
        with self._guard:
            keys, self.waiting = self.waiting, set()
        return keys


_indexers = weakref.WeakKeyDictionary()
_indexers_guard = threading.Lock()


def _indexer(db):
    with _indexers_guard:
        found = _indexers.get(db)
        if found is None:
            found = _indexers[db] = _Indexer()
        return found


def apply_notes(db, site_oid, keys, registry):
    """Apply the notes under ``keys`` and any stale ones, in a transaction of their own;
    returns once they are applied (by this thread or by the one holding the lock before)."""
    indexer = _indexer(db)
    indexer.add(keys)
    with indexer.lock:
        batch = indexer.take()
        if not batch:
            return
        manager = transaction.TransactionManager()
        conn = db.open(transaction_manager=manager)
        try:
            for attempt in manager.attempts(ATTEMPTS):
                with attempt:
                    site = conn.get(site_oid)
                    queue = get_queue(site)
                    cutoff = millis(registry.portal_clock.now() - STALE_AFTER)
                    wanted = sorted(batch | set(queue.keys_before(cutoff)))
                    if apply(site, queue, wanted):
                        manager.get().note("index after save")
        finally:
            conn.close()


def apply_all(site):
    """Apply every note of the queue in the current transaction (start-up)."""
    queue = get_queue(site)
    if queue is None:
        return 0
    return apply(site, queue, queue.keys_before(float("inf")))


def apply(site, queue, keys):
    """Apply the notes under ``keys`` (skipping those already applied); how many were."""
    applied, public = 0, False
    for key in keys:
        found = queue.take(key)
        if found is None:
            continue
        path, how = found
        obj = object_at(site, path)
        if how == "remove":
            public = public or is_public_path(site, path)
            unindex_path(site, path)
            how = "tree"
        if obj is not None:
            if how == "tree":
                index_tree(obj)
            else:
                index(obj, site)
        public = public or (obj is not None and public_by_state(obj, site))
        applied += 1
    if public:
        # Navigation and kept search answers are keyed on this counter: what they derived
        # from the catalog between the save and its indexing must not outlive it. Notes of
        # drafts and working copies change nothing anonymous visitors are shown.
        site.changes.change(1)
    return applied

