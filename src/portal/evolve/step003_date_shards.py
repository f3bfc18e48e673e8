"""Sections: the date index spread over shards, so concurrent adds merge (O1).

A section's ``_by_date`` was one ``OOTreeSet``: every new item went into its first bucket, and
an editor whose add split that bucket failed every other add to the section made meanwhile. It
becomes a ``DateIndex`` holding the same keys in ``DATE_SHARDS`` trees.
"""
from ..content.base import DateIndex


def convert(folder):
    """Give ``folder`` and every container below it a ``DateIndex``."""
    if not isinstance(folder._by_date, DateIndex):
        folder._by_date = DateIndex(folder._by_date)
    for name in list(folder._containers):
        convert(folder[name])


def evolve(site, registry):
    """Convert the date index of the site and of every section below it."""
    convert(site)
