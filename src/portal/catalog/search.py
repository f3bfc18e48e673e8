"""The one way to query the catalog: every query is filtered by who may view (S8), and, for
those who see only what is out, by the publication and expiry dates."""
from BTrees.IFBTree import IFSet, difference, union, weightedIntersection
from repoze.catalog.query import All, Any, Eq, Ge, Gt, Le, Lt  # noqa: F401 (for callers)

from ..security.login import roles_needing_two_step
from ..security.policy import current_session, held_roles
from ..security.principals import global_roles, principals_of
from . import get_catalog
from .indexes import seconds

# Roles that see items before their publication date and after their expiry (docs/security.md).
STAFF_ROLES = frozenset({"Owner", "Editor", "Reviewer", "Publisher", "Manager"})
ANONYMOUS = frozenset({"role:Anonymous"})


def viewer_tokens(request):
    """The principals and role tokens the current visitor holds everywhere (``allowed`` index
    values): anonymous visitors hold ``role:Anonymous`` only; a session that has not passed
    the second step holds none of the roles that need it (S2)."""
    tokens = {"role:Anonymous"}
    user = request.identity
    if user is not None:
        groups = request.root.groups
        roles = global_roles(user, groups)
        if not current_session(request)[1]:
            roles -= roles_needing_two_step(request.registry, request.root)
        tokens.add("role:Authenticated")
        tokens.update(principals_of(user, groups))
        tokens.update(f"role:{role}" for role in roles)
    return tokens


def inactive(catalog, now):
    """The documents outside their publication window at ``now``: not yet published, or
    expired.

    Both sets are small on a real site (a few scheduled or withdrawn items), so the window is
    applied by taking them away rather than by a range over every publication date, which
    would union one set per distinct date (100,000 on a large site).
    """
    when = seconds(now)
    return union(catalog["effective"].applyGt(when), catalog["expires"].applyLe(when))


def find(site, tokens, query=None, now=None, sort_index=None, reverse=False, limit=None):
    """(count, docids) of the documents of ``site`` matching ``query`` (None: all) that one of
    ``tokens`` may view, active at ``now`` unless ``now`` is None; sorted by ``sort_index``.

    For callers without a request (the derived data of the menus and home page); views use
    ``search``.
    """
    catalog, _docmap = get_catalog(site)
    if catalog is None:
        return 0, []
    allowed = catalog["allowed"]
    if len(tokens) == 1:
        # Anonymous visitors: the index's own set, not a copy of it (100,000 documents).
        [token] = tokens
        found = allowed._fwd_index.get(token) or IFSet()
    else:
        found = allowed.applyAny(sorted(tokens))
    if query is not None and found:
        # Weighted, so that relevance scores of the text index survive for sorting.
        _weight, found = weightedIntersection(found, query._apply(catalog, None))
    if now is not None and found:
        found = difference(found, inactive(catalog, now))
    return catalog.sort_result(found, sort_index, limit, None, reverse)


def search(request, query=None, sort_index=None, reverse=False, limit=None, active_only=None,
           as_anonymous=False, context=None):
    """(count, docids) of the objects matching ``query`` that the visitor may view.

    ``active_only`` (default: for visitors without staff roles at ``context``, the site when
    None) keeps only items between their publication and expiry dates at the clock's time.
    ``as_anonymous`` finds what an anonymous visitor would, whoever asks (feeds, the sitemap).
    """
    tokens = ANONYMOUS if as_anonymous else viewer_tokens(request)
    if as_anonymous:
        active_only = True
    elif active_only is None:
        where = request.root if context is None else context
        active_only = not STAFF_ROLES.intersection(held_roles(request, where))
    now = request.registry.portal_clock.now() if active_only else None
    return find(request.root, tokens, query, now, sort_index, reverse, limit)


def public(site, now, query=None, sort_index=None, reverse=False, limit=None):
    """``find`` for an anonymous visitor at ``now``."""
    return find(site, ANONYMOUS, query, now, sort_index, reverse, limit)


def object_at(site, docid):
    """The object of ``docid`` in ``site``, or None when it is gone."""
    _catalog, docmap = get_catalog(site)
    path = docmap.address_for_docid(docid) if docmap is not None else None
    if path is None:
        return None
    node = site
    for name in path.split("/"):
        node = node.get(name) if getattr(node, "is_container", False) else None
        if node is None:
            return None
    return node


def resolve(request, docid):
    """The object of ``docid``, or None when it is gone."""
    return object_at(request.root, docid)
