"""Schedule: sites made before it get theirs, filled by one walk of the tree.

The site's ``schedule`` keeps the future publication and expiry dates of its items
(content/schedule.py). Start-up used to look for it at every start; this step makes it once.
"""
from ..content.schedule import get_schedule


def evolve(site, registry):
    """Make and fill ``site.schedule`` when the site has none."""
    get_schedule(site, create=True, now=registry.portal_clock.now())
