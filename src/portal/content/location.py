"""Where an object stands: its site, its path from the site, the object at a path.

Apart from ``base.py`` so that what the content classes call on a change (the schedule) can
use them without importing the classes back.
"""
from datetime import UTC, datetime

from pyramid.location import lineage

# The date of items that have none, so that they sort last among dated ones.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def find_site(obj):
    """The Site above ``obj`` (or ``obj`` itself); None outside a site."""
    for node in lineage(obj):
        if node.type_name == "Site":
            return node
    return None


def path_of(obj):
    """The slash-separated path of ``obj`` from the site, '' for the site."""
    names = [node.__name__ for node in lineage(obj)][:-1]
    return "/".join(reversed(names))


def object_at(site, path):
    """The object at the site path ``path`` (working copies included), or None."""
    node = site
    for name in path.split("/"):
        if not name:
            continue
        try:
            node = node[name]
        except (KeyError, TypeError):
            return None
    return node
