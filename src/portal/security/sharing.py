"""Changing local roles, keeping an index of privileged grants, and who may delegate what.

Two-step sign-in is required of anyone holding Manager, Publisher or Reviewer anywhere, also
through a local grant (an agency's reviewers). Scanning the tree at every sign-in would be slow,
so each change of local roles keeps a count, per principal, of privileged grants
(``site.privileged_grants``, made with the site or by evolve step 8).
"""
from .localroles import get_local_roles, set_local_roles
from .roles import ASSIGNABLE_ROLES, TWO_STEP_ROLES


def change_local_roles(site, obj, principal, roles):
    """Give ``principal`` exactly ``roles`` locally on ``obj``; returns (added, removed)."""
    before = set(get_local_roles(obj).get(principal, ()))
    after = set(roles)
    if before == after:
        return set(), set()
    set_local_roles(obj, principal, tuple(after))
    delta = int(bool(after & TWO_STEP_ROLES)) - int(bool(before & TWO_STEP_ROLES))
    if delta:
        index = site.privileged_grants
        count = index.get(principal, 0) + delta
        if count > 0:
            index[principal] = count
        else:
            index.pop(principal, None)
    return after - before, before - after


def holds_privileged_grant(site, principals):
    """True when any of ``principals`` holds a privileged role locally somewhere."""
    index = site.privileged_grants
    return bool(index) and any(index.get(principal, 0) > 0 for principal in principals)


# Where each assignable role stands: a role is given only by someone standing above it. The
# secretariat's role opens the internal area, so it stands with the editorial board's.
ROLE_RANK = {"Author": 1, "Editor": 2, "Reviewer": 3, "Publisher": 4, "Secretary": 4,
             "Manager": 5}


def grantable_roles(held):
    """The roles someone holding ``held`` here may give: those below their highest role.

    Managers give any role. The editorial board (Publishers) gives Author, Editor and
    Reviewer, so that it configures the folders (E3) without making more of itself, of the
    secretariat or of administrators; anyone else only the roles below their own.
    """
    if "Manager" in held:
        return ASSIGNABLE_ROLES
    top = max((ROLE_RANK.get(role, 0) for role in held), default=0)
    return tuple(role for role in ASSIGNABLE_ROLES if ROLE_RANK[role] < top)
