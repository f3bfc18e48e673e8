"""The one way to query the catalog: every query is filtered by who may view (S8), and, for
those who see only what is out, by the publication and expiry dates."""
from repoze.catalog.query import All, Any, Eq, Ge, Gt, Le, Lt  # noqa: F401 (for callers)

from ..security.policy import held_roles
from ..security.principals import global_roles, principals_of
from . import get_catalog
from .indexes import seconds

# Roles that see items before their publication date and after their expiry (docs/security.md).
STAFF_ROLES = frozenset({"Owner", "Editor", "Reviewer", "Publisher", "Manager"})


def viewer_tokens(request):
    """The principals and role tokens the current visitor holds everywhere (``allowed`` index
    values): anonymous visitors hold ``role:Anonymous`` only."""
    tokens = {"role:Anonymous"}
    user = request.identity
    if user is not None:
        groups = request.root.groups
        tokens.add("role:Authenticated")
        tokens.update(principals_of(user, groups))
        tokens.update(f"role:{role}" for role in global_roles(user, groups))
    return tokens


def search(request, query=None, sort_index=None, reverse=False, limit=None, active_only=None,
           as_anonymous=False):
    """(count, docids) of the objects matching ``query`` that the visitor may view.

    ``active_only`` (default: for visitors without staff roles at the site) keeps only items
    between their publication and expiry dates at the clock's time. ``as_anonymous`` finds
    what an anonymous visitor would, whoever asks (feeds, the sitemap).
    """
    catalog, _docmap = get_catalog(request.root)
    if catalog is None:
        return 0, []
    tokens = {"role:Anonymous"} if as_anonymous else viewer_tokens(request)
    allowed = Any("allowed", sorted(tokens))
    if as_anonymous:
        active_only = True
    elif active_only is None:
        active_only = not STAFF_ROLES.intersection(held_roles(request, request.root))
    if active_only:
        now = seconds(request.registry.portal_clock.now())
        allowed = allowed & Le("effective", now) & Gt("expires", now)
    full = allowed if query is None else allowed & query
    return catalog.query(full, sort_index=sort_index, reverse=reverse, limit=limit)


def resolve(request, docid):
    """The object of ``docid``, or None when it is gone."""
    _catalog, docmap = get_catalog(request.root)
    path = docmap.address_for_docid(docid) if docmap is not None else None
    if path is None:
        return None
    node = request.root
    for name in path.split("/"):
        node = node.get(name) if getattr(node, "is_container", False) else None
        if node is None:
            return None
    return node
