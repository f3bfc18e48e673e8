"""Catalog: the index queue that saves write their notes to, made once (O1).

Saves note what the catalog must update in ``site.index_queue``; made by the first save, it
would be made by every save of that first moment, and those would all conflict on the site.
"""
from ..catalog.queue import IndexQueue, get_queue


def evolve(site, registry):
    """Make ``site.index_queue`` when the site has none."""
    if get_queue(site) is None:
        site.index_queue = IndexQueue()
