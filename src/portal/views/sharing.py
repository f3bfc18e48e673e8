"""@@sharing: find users and groups, grant and revoke local roles, block inheritance (E1, E3)."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..content.base import Content
from ..content.events import LocalRolesModified
from ..i18n import _
from ..navigation import path_of
from ..security.audit import audit
from ..security.localroles import get_local_roles, grants_below, is_blocked, set_blocked
from ..security.policy import held_roles
from ..security.principals import GROUP_PREFIX, USER_PREFIX, principals_of
from ..security.roles import ROLE_LABELS, SHARE
from ..security.sharing import change_local_roles, grantable_roles

MAX_RESULTS = 30


def _describe(site, principal):
    """(kind, name, title) of a principal id; None when it no longer exists."""
    if principal.startswith(USER_PREFIX):
        user = site.users.get(principal[len(USER_PREFIX):])
        return ("user", user.login, user.fullname) if user is not None else None
    if principal.startswith(GROUP_PREFIX):
        group = site.groups.get(principal[len(GROUP_PREFIX):])
        return ("group", group.name, group.title) if group is not None else None
    return None


def _search(site, text):
    """Users and groups whose name or title contains ``text`` (case-insensitive)."""
    text = text.strip().lower()
    if not text:
        return []
    found = [(g.principal, "group", g.name, g.title) for g in site.groups
             if text in g.name or text in g.title.lower()]
    found += [(u.principal, "user", u.login, u.fullname) for u in site.users
              if u.active and (text in u.login or text in u.fullname.lower())]
    return found[:MAX_RESULTS]


@view_config(context=Content, name="sharing", permission=SHARE,
             renderer="portal:templates/sharing.pt")
def sharing(context, request):
    """Show and change who holds which roles here."""
    site = request.root
    grantable = grantable_roles(held_roles(request, context))
    own = set(principals_of(request.identity, site.groups))
    if request.method == "POST":
        return _save(context, request, site, grantable, own)
    local = get_local_roles(context)
    shown = list(local)
    for principal in request.GET.getall("add"):
        if principal not in shown and _describe(site, principal) is not None:
            shown.append(principal)
    rows = []
    for principal in shown:
        described = _describe(site, principal)
        if described is not None:
            rows.append({"principal": principal, "kind": described[0], "name": described[1],
                         "title": described[2], "roles": set(local.get(principal, ())),
                         "own": principal in own})
    inherited = []
    for node, principal, roles in grants_below(context):
        described = _describe(site, principal)
        if node is not context and described is not None:
            inherited.append({"where": node, "title": described[2], "roles": roles})
    query = request.GET.get("q", "")
    return {"rows": rows, "inherited": inherited, "grantable": grantable,
            "labels": {role: request.localizer.translate(ROLE_LABELS[role])
                       for role in ROLE_LABELS},
            "blocked": is_blocked(context), "query": query,
            "results": [r for r in _search(site, query) if r[0] not in shown],
            "is_site": context.__parent__ is None,
            "message": _("The changes are saved.") if request.GET.get("saved") else None,
            "refused": _("Your own roles and those of your groups were left as they were: "
                         "nobody changes their own roles. Ask a Manager.")
            if request.GET.get("refused") else None}


def _save(context, request, site, grantable, own):
    """Apply the posted roles. The actor's own principals (they and their groups) are never
    changed by them, so that nobody raises themself (S1); such an attempt is audited."""
    target = "/" + path_of(context)
    refused = False
    for principal in request.POST.getall("principal"):
        if _describe(site, principal) is None:
            continue
        if principal in own:
            refused = True
            audit(request, "roles-change-refused", target=target,
                  details=f"{principal}: own roles")
            continue
        current = set(get_local_roles(context).get(principal, ()))
        wanted = {role for role in request.POST.getall(f"roles:{principal}") if role in grantable}
        # Roles this person may not give are neither granted nor taken away by them.
        wanted |= current - set(grantable)
        added, removed = change_local_roles(site, context, principal, wanted)
        if added or removed:
            audit(request, "roles-changed", target=target,
                  details=f"{principal} +{sorted(added)} -{sorted(removed)}")
    if context.__parent__ is not None:
        block = request.POST.get("block") == "on"
        if block != is_blocked(context):
            set_blocked(context, block)
            audit(request, "inheritance-blocked" if block else "inheritance-restored",
                  target=target)
    request.registry.notify(LocalRolesModified(context, context.__parent__, context.__name__))
    query = {"saved": "1", "refused": "1"} if refused else {"saved": "1"}
    return HTTPSeeOther(location=request.resource_url(context, "@@sharing", query=query))
