"""Where the site object lives: the ``portal`` key of the ZODB root, Pyramid's root.

Making the site and bringing it up to date at start-up is ``portal.startup``'s.
"""
from pyramid_zodbconn import get_connection

ROOT_KEY = "portal"


def root_factory(request):
    """Pyramid's root: the site object of this request's ZODB connection."""
    return get_connection(request).root()[ROOT_KEY]
