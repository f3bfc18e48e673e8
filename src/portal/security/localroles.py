"""Local roles: principal → roles stored on any object, inherited down the tree unless an
object blocks inheritance (then the roles above it stop counting there and below)."""
from pyramid.location import lineage


def get_local_roles(obj):
    """The local roles set on ``obj`` itself: {principal: (role, ...)}."""
    return dict(getattr(obj, "_local_roles", None) or {})


def set_local_roles(obj, principal, roles):
    """Give ``principal`` exactly ``roles`` on ``obj`` (an empty tuple revokes)."""
    current = get_local_roles(obj)
    if roles:
        current[principal] = tuple(sorted(set(roles)))
    else:
        current.pop(principal, None)
    # A fresh dict, so ZODB sees the change (attributes are immutable or persistent).
    obj._local_roles = current


def is_blocked(obj):
    """True when ``obj`` does not inherit local roles from above."""
    return bool(getattr(obj, "_block_local_roles", False))


def set_blocked(obj, blocked):
    """Block or restore the inheritance of local roles at ``obj``."""
    obj._block_local_roles = bool(blocked)


def roles_in_context(context, principals):
    """Roles that ``principals`` hold locally at ``context`` (inherited ones included)."""
    roles = set()
    for node in lineage(context):
        local = getattr(node, "_local_roles", None)
        if local:
            for principal in principals:
                roles.update(local.get(principal, ()))
        if getattr(node, "_block_local_roles", False):
            break
    return roles


def grants_below(obj):
    """Every (principal, roles) granted at ``obj`` and inherited into it, nearest first."""
    found = []
    for node in lineage(obj):
        for principal, roles in get_local_roles(node).items():
            found.append((node, principal, roles))
        if is_blocked(node):
            break
    return found
