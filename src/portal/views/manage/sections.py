"""Sections: the folders whose removal or new address the public would notice.

A section is a folder in the main menu (a top-level or second-level entry, every folder above
it in the menu too) or a folder holding published items anywhere below it. Deleting, renaming
or moving one (cut and paste) takes the ``sections`` permission on it, which the editorial board
and Managers hold (security/roles.py); an agency's editors keep these rights over their other
folders. Whether a folder holds published items is read from the catalog, one document at most.
"""
from pyramid.location import lineage
from repoze.catalog.query import Any, Eq

from ...catalog import get_catalog
from ...content.base import find_site, path_of
from ...content.types import Folder, Site

# The menu shows top-level entries and their children (navigation._menu_entry).
MENU_DEPTH = 2


def in_menu(folder):
    """True when ``folder`` is an entry of the main menu."""
    nodes = [node for node in lineage(folder) if not isinstance(node, Site)]
    return len(nodes) <= MENU_DEPTH and all(getattr(node, "in_menu", False) for node in nodes)


def final_states(registry):
    """The ids of the states where items are out for their audience, in every workflow."""
    return sorted({state.id for wf in registry.portal_workflows.values()
                   for state in wf.states.values() if state.final})


def holds_published(folder, registry):
    """True when an item below ``folder`` is in a final state (published, shared)."""
    catalog, _docmap = get_catalog(find_site(folder))
    if catalog is None:
        return True  # no catalog to ask: count it as a section, the safe side
    query = Eq("parents", path_of(folder)) & Eq("is_container", 0) & \
        Any("state", final_states(registry))
    count, _docids = catalog.query(query, limit=1)
    return bool(count)


def is_section(request, obj):
    """True when ``obj`` is a section (the site itself is never deleted nor renamed)."""
    return isinstance(obj, Folder) and not isinstance(obj, Site) and (
        in_menu(obj) or holds_published(obj, request.registry))

