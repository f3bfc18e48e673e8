"""Text index: a word → documents tree whose buckets merge concurrent saves (O1).

Catalogs made before kept the text index's ``_wordinfo`` in a plain ``IOBTree`` of dicts, which
BTrees cannot merge: two documents saved at once conflicted whenever their words shared a
bucket. The same entries move into a ``WordInfoTree`` (catalog/merging.py).
"""
from ..catalog import get_catalog
from ..catalog.indexes import TEXT
from ..catalog.merging import WordInfoTree


def evolve(site, registry):
    """Copy the text index's ``_wordinfo`` into a ``WordInfoTree``."""
    catalog, _docmap = get_catalog(site)
    if catalog is None or TEXT not in catalog:
        return
    okapi = catalog[TEXT].index
    if not isinstance(okapi._wordinfo, WordInfoTree):
        tree = WordInfoTree()
        tree.update(okapi._wordinfo)
        okapi._wordinfo = tree
