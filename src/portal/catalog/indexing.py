"""Writing to the catalog: (re)indexing an object or a subtree, unindexing a path.

Saves do not call these themselves: they note what changed (``queue.py``), and the notes are
applied with these just after the save commits.
"""
from repoze.catalog.document import DocumentMap

from ..content.base import find_site, path_of
from .indexes import make_catalog


def get_catalog(site, create=False):
    """(catalog, document map) of ``site``; made only when ``create`` (never on a read), else
    (None, None) for a site that has none yet."""
    catalog = getattr(site, "catalog", None)
    if catalog is None and create:
        catalog = site.catalog = make_catalog()
        site.document_map = DocumentMap()
    return catalog, getattr(site, "document_map", None)


def indexable(obj):
    """Whether ``obj`` is indexed: everything in the tree but working copies."""
    parent = obj.__parent__
    return parent is not None and getattr(parent, "working_copy", None) is not obj


def walk(obj):
    """``obj`` and every object below it, depth first."""
    yield obj
    if obj.is_container:
        for name in obj:
            yield from walk(obj[name])


def index(obj, site=None):
    """Index (or reindex) ``obj`` alone."""
    site = site or find_site(obj)
    if site is None or obj is site or not indexable(obj):
        return
    catalog, docmap = get_catalog(site, create=True)
    path = path_of(obj)
    docid = docmap.docid_for_address(path)
    if docid is None:
        catalog.index_doc(docmap.add(path), obj)
    else:
        catalog.reindex_doc(docid, obj)


def index_tree(obj):
    """Index ``obj`` and everything below it."""
    site = find_site(obj)
    for node in walk(obj):
        index(node, site)


def unindex_path(site, base):
    """Unindex what was at the path ``base`` and below."""
    catalog, docmap = get_catalog(site)
    if catalog is None:
        return
    for docid in list(catalog["parents"].applyEq(base)) + [docmap.docid_for_address(base)]:
        if docid is None:
            continue
        catalog.unindex_doc(docid)
        docmap.remove_docid(docid)


def is_public_path(site, path):
    """True when the catalog holds the document at ``path`` as viewable by anonymous
    visitors (before it is unindexed)."""
    catalog, docmap = get_catalog(site)
    if catalog is None:
        return False
    docid = docmap.docid_for_address(path)
    public = catalog["allowed"]._fwd_index.get("role:Anonymous")
    return docid is not None and public is not None and docid in public
