"""Sharing: the index of privileged local grants, made once instead of by the first grant.

``site.privileged_grants`` counts, per principal, the local grants of roles that require the
second sign-in step (security/sharing.py). Made by the first such grant, it would be made by
every grant of that first moment, and those would all conflict on the site.
"""
from BTrees.OOBTree import OOBTree


def evolve(site, registry):
    """Make ``site.privileged_grants`` when the site has none."""
    if getattr(site, "privileged_grants", None) is None:
        site.privileged_grants = OOBTree()
