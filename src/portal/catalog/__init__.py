"""The catalog (repoze.catalog in the site): what listings, search, feeds and the sitemap read
instead of walking folders, each query filtered by who may view (S8).

``site.catalog`` holds the indexes (``indexes.py``) and ``site.document_map`` the document ids
by site path. Subscribers on add, edit, move, rename, removal and transition note what
changed; the notes are applied just after the save commits, in a short transaction of their
own (``queue.py`` says why). A change of local roles reindexes the whole subtree below it.
``portal reindex`` rebuilds everything. Working copies and the site itself are never indexed.
"""
import transaction
from repoze.catalog.document import DocumentMap

from workflow import AfterTransition, WorkflowChanged

from ..content.base import find_site, path_of
from ..content.events import LocalRolesModified, ObjectAdded, ObjectModified, ObjectRemoved
from .indexes import make_catalog
from .indexing import get_catalog, index, index_tree, indexable, unindex_path, walk
from .queue import note

__all__ = ["get_catalog", "index", "index_tree", "rebuild", "unindex_path", "walk"]

BATCH = 1000


def rebuild(site, progress=None):
    """Empty the catalog and index every object again; ``progress(done, total)`` is called as
    it goes. Returns how many objects were indexed."""
    total = _count(site)
    site.catalog = make_catalog()
    site.document_map = DocumentMap()
    done = 0
    for obj in walk(site):
        if obj is site:
            continue
        index(obj, site)
        done += 1
        if done % BATCH == 0:
            # Keep memory flat on a large site: write what is done aside, trim the cache.
            transaction.savepoint(optimistic=True)
            if site._p_jar is not None:
                site._p_jar.cacheGC()
        if progress is not None:
            progress(done, total)
    return done


def _count(folder):
    return sum(1 + (_count(folder[name]) if folder[name].is_container else 0)
               for name in folder)


def _noted(obj, how, registry, parent=None, name=None):
    """Note ``obj`` (or what was at ``parent/name``) for indexing after the commit; made at
    once when the site is new in this very transaction (nothing can conflict with it yet)."""
    site = find_site(parent if parent is not None else obj)
    if site is None or obj is site:
        return
    if parent is not None:
        path = "/".join(part for part in (path_of(parent), name) if part)
    elif indexable(obj):
        path = path_of(obj)
    else:
        return
    if note(site, path, how, registry):
        return
    if how == "remove":
        unindex_path(site, path)
    elif how == "tree":
        index_tree(obj)
    else:
        index(obj, site)


def includeme(config):
    registry = config.registry

    def added(event):
        _noted(event.object, "tree", registry)

    def removed(event):
        _noted(None, "remove", registry, event.parent, event.name)

    def changed(event):
        _noted(event.object, "index", registry)

    config.add_subscriber(added, ObjectAdded)
    config.add_subscriber(removed, ObjectRemoved)
    config.add_subscriber(changed, ObjectModified)
    config.add_subscriber(changed, AfterTransition)
    config.add_subscriber(changed, WorkflowChanged)
    # Local roles change who may view everything below: the whole subtree's security.
    config.add_subscriber(added, LocalRolesModified)
