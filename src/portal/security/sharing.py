"""Changing local roles, keeping an index of privileged grants, and who may delegate what.

Two-step sign-in is required of anyone holding Manager, Publisher or Reviewer anywhere, also
through a local grant (an agency's reviewers). Scanning the tree at every sign-in would be slow,
so each change of local roles keeps a count, per principal, of privileged grants
(``site.privileged_grants``).
"""
from BTrees.OOBTree import OOBTree

from .localroles import get_local_roles, set_local_roles
from .roles import ASSIGNABLE_ROLES, TWO_STEP_ROLES


def privileged_grants(site):
    """principal → number of privileged local grants (created on first write)."""
    index = getattr(site, "privileged_grants", None)
    if index is None:
        index = site.privileged_grants = OOBTree()
    return index


def change_local_roles(site, obj, principal, roles):
    """Give ``principal`` exactly ``roles`` locally on ``obj``; returns (added, removed)."""
    before = set(get_local_roles(obj).get(principal, ()))
    after = set(roles)
    if before == after:
        return set(), set()
    set_local_roles(obj, principal, tuple(after))
    delta = int(bool(after & TWO_STEP_ROLES)) - int(bool(before & TWO_STEP_ROLES))
    if delta:
        index = privileged_grants(site)
        count = index.get(principal, 0) + delta
        if count > 0:
            index[principal] = count
        else:
            index.pop(principal, None)
    return after - before, before - after


def holds_privileged_grant(site, principals):
    """True when any of ``principals`` holds a privileged role locally somewhere."""
    index = getattr(site, "privileged_grants", None)
    return bool(index) and any(index.get(principal, 0) > 0 for principal in principals)


def grantable_roles(held):
    """The roles someone holding ``held`` here may give.

    Managers give any role; the editorial board (Publishers) every editorial role but
    Manager, so that it configures the folders (E3) without making administrators; anyone
    else only the roles they hold themselves.
    """
    if "Manager" in held:
        return ASSIGNABLE_ROLES
    if "Publisher" in held:
        return tuple(role for role in ASSIGNABLE_ROLES if role != "Manager")
    return tuple(role for role in ASSIGNABLE_ROLES if role in held)
