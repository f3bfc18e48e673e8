"""Workflow pages: transitions with a comment, the review queue, the author's dashboard and the
placeful policy form (E2, E3)."""
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from workflow import TransitionRefused

from ..content.base import Content, object_at, path_of
from ..content.types import Folder
from ..i18n import _
from ..publishing import policy, worklist
from ..publishing.conditions import explanation
from ..publishing.labels import label
from ..publishing.working_copy import is_working_copy
from ..security.audit import audit
from ..security.policy import held_roles
from ..security.roles import MANAGE, VIEW
from .manage.edit import type_label

MAX_COMMENT = 2000
ANY_TYPE = "*"  # the policy key of the types without an entry of their own
REFUSALS = {
    "comment-required": _("Write a comment: the author needs to know what to change."),
    "not-allowed": _("You may not make this change to this item."),
    "wrong-state": _("This item has changed state in the meantime; nothing was done. Look at "
                     "its current state below."),
    "unknown": _("This change is not possible for this item."),
    "condition": _("This item is not ready for this change."),
    "comment-too-long": _("The comment is too long (at most ${max} characters).",
                          mapping={"max": MAX_COMMENT}),
}


def _signed_in(request):
    if request.authenticated_userid is None:
        raise HTTPForbidden()


@view_config(context=Content, name="transition", permission=VIEW,
             renderer="portal:templates/workflow_transition.pt")
def transition_view(context, request):
    """GET: the item's state and the changes the user may make, with a comment field.
    POST: make the chosen change; a refusal keeps the comment typed."""
    _signed_in(request)
    allowed = policy.transitions_for(request, context)
    chosen = request.params.get("transition", "")
    comment = request.POST.get("comment", "")
    tr = request.localizer.translate
    values = {"transitions": [(t.id, tr(label(t.title)), t.comment_required) for t in allowed],
              "chosen": chosen, "comment": comment, "error": None,
              "state": state_title(request, context),
              "came_from": _safe_return(request, request.params.get("came_from", "")),
              "waiting": waiting_values(request, context)}
    if request.method != "POST":
        return values
    was_copy = is_working_copy(context)
    if len(comment) > MAX_COMMENT:
        reason = "comment-too-long"
    else:
        try:
            policy.fire(request, context, chosen, comment)
        except TransitionRefused as refused:
            reason = refused.reason
        else:
            shown = context
            if was_copy and not is_working_copy(context):
                shown = context.__parent__  # the published copy has replaced the text
            target = values["came_from"] or request.resource_url(shown)
            if not values["came_from"] and not request.has_permission(VIEW, shown):
                # Sent back or retracted out of the user's sight: their queue says it is done.
                target = request.resource_url(request.root, "@@review-queue")
            separator = "&" if "?" in target else "?"
            return HTTPSeeOther(location=f"{target}{separator}done=transition")
    request.response.status = 403 if reason == "not-allowed" else 400
    values.update(error=tr(REFUSALS.get(reason, REFUSALS["unknown"])),
                  transitions=[(t.id, tr(label(t.title)), t.comment_required)
                               for t in policy.transitions_for(request, context)],
                  state=state_title(request, context))
    return values


def waiting_values(request, obj):
    """(transition title, what to do first) of the transitions kept back by a condition."""
    tr = request.localizer.translate
    return [(tr(label(t.title)), tr(explanation(condition)))
            for t, condition in policy.waiting_transitions(request, obj)]


def _safe_return(request, url):
    """``url`` when it is a page of this site, else ''."""
    base = request.application_url + "/"
    return url if url.startswith(base) else ""


def state_title(request, obj):
    """The name of ``obj``'s state in the interface's language, or None."""
    wf = policy.workflow_for(request.registry, obj)
    state = getattr(obj, "workflow_state", None)
    if wf is None or state not in wf.states:
        return None
    return request.localizer.translate(label(wf.states[state].title))


def done_message(request, obj):
    """The status line after a transition (``?done=transition``), or None."""
    if request.GET.get("done") != "transition":
        return None
    state = state_title(request, obj)
    if state is None:
        return None
    return request.localizer.translate(_("Done: the item is now “${state}”.",
                                         mapping={"state": state}))


def waiting_roles(wf, state):
    """The roles an item in ``state`` waits for: those told when it entered that state."""
    roles = set()
    for transition in wf.transitions.values():
        if transition.destination == state:
            roles.update(transition.notify)
    roles.discard("Owner")
    return roles


def _row(request, path, entry, obj):
    tr = request.localizer.translate
    wf = request.registry.portal_workflows.get(entry["workflow"])
    last = wf.transitions.get(entry["transition"]) if wf and entry["transition"] else None
    users = request.root.users
    actor = users.get(entry["actor"]) if entry["actor"] else None
    return {
        "obj": obj, "path": path, "title": entry["title"],
        "type": tr(type_label(entry["type"])),
        "section": obj.__parent__.title if obj.__parent__ is not None else "",
        "state": tr(label(wf.states[entry["state"]].title)) if wf else entry["state"],
        "transition": tr(label(last.title)) if last else None,
        "actor": actor.fullname if actor is not None else entry["actor"],
        "time": entry["time"], "comment": entry["comment"],
    }


def _newest_first(rows):
    return sorted(rows, key=lambda row: row["time"].timestamp() if row["time"] else 0,
                  reverse=True)


@view_config(context=Folder, name="review-queue", permission=VIEW,
             renderer="portal:templates/review_queue.pt")
def review_queue(context, request):
    """The items waiting for the current user's decision, anywhere in the site."""
    _signed_in(request)
    site = request.root
    rows = []
    for path, entry in worklist.entries(site):
        wf = request.registry.portal_workflows.get(entry["workflow"])
        if wf is None or entry["state"] == wf.initial:
            continue
        waiting = waiting_roles(wf, entry["state"])
        obj = object_at(site, path)
        if obj is None or not waiting.intersection(held_roles(request, obj)):
            continue
        if policy.transitions_for(request, obj):
            rows.append(_row(request, path, entry, obj))
    status = None
    if request.GET.get("done") == "transition":
        status = request.localizer.translate(_("Done: the item has moved on."))
    return {"rows": _newest_first(rows), "status": status,
            "caption": request.localizer.translate(_("Items waiting for you"))}


def is_rejection(wf, entry):
    """True when the item was sent back to its initial state with a required comment."""
    last = wf.transitions.get(entry["transition"]) if entry["transition"] else None
    return last is not None and last.comment_required and last.destination == wf.initial


@view_config(context=Folder, name="dashboard", permission=VIEW,
             renderer="portal:templates/dashboard.pt")
def dashboard(context, request):
    """The author's items not yet published: drafts, in review, and sent back with comments."""
    _signed_in(request)
    site = request.root
    groups = {"drafts": [], "review": [], "rejected": []}
    for path, entry in worklist.entries(site, creator=request.authenticated_userid):
        wf = request.registry.portal_workflows.get(entry["workflow"])
        obj = object_at(site, path)
        if wf is None or obj is None or not request.has_permission(VIEW, obj):
            continue
        if entry["state"] != wf.initial:
            key = "review"
        else:
            key = "rejected" if is_rejection(wf, entry) else "drafts"
        groups[key].append(_row(request, path, entry, obj))
    tr = request.localizer.translate
    captions = {"drafts": tr(_("My drafts")), "review": tr(_("My items in review")),
                "rejected": tr(_("Sent back to me"))}
    return {"groups": [(key, captions[key], _newest_first(groups[key]))
                       for key in ("rejected", "drafts", "review")]}


@view_config(context=Folder, name="workflow-policy", permission=MANAGE,
             renderer="portal:templates/workflow_policy.pt")
def workflow_policy_view(context, request):
    """Managers choose, per content type, the workflow used in this folder and below; the
    last row (``*``) is for any type without a row of its own."""
    registry = request.registry
    workflows = registry.portal_workflows
    types = [name for name in registry.content_types if name != "Site"] + [ANY_TYPE]
    own = policy.policy_of(context)
    tr = request.localizer.translate
    values = {"types": [(name, tr(_("Any other type") if name == ANY_TYPE else type_label(name)))
                        for name in types],
              "workflows": [(wf.id, tr(label(wf.title))) for wf in workflows.values()],
              "own": own, "error": None, "status": None,
              "inherited": {name: _inherited(context, name, registry) for name in types}}
    if request.method == "POST":
        chosen = {name: request.POST.get(f"type-{name}", "") for name in types}
        chosen = {name: value for name, value in chosen.items() if value}
        if any(value not in workflows for value in chosen.values()):
            request.response.status = 400
            values["error"] = tr(_("Choose a workflow from the list."))
            return values
        changed = policy.set_policy(registry, context, chosen, request.authenticated_userid)
        audit(request, "workflow-policy", target="/" + path_of(context),
              details=", ".join(f"{k}: {v}" for k, v in sorted(chosen.items())) +
              f" ({changed} items moved)")
        return HTTPSeeOther(location=request.resource_url(
            context, "@@workflow-policy", query={"done": str(changed)}))
    done = request.GET.get("done", "")
    if done.isdigit():
        values["status"] = tr(_("Saved. Items that changed workflow: ${count}.",
                                mapping={"count": int(done)}))
    return values


def _inherited(folder, type_name, registry):
    """The workflow ``type_name`` follows in ``folder`` when its own row is left empty: the
    folder's own ``*``, else what the folders above give (the default policy on the site)."""
    own_any = policy.policy_of(folder).get(ANY_TYPE)
    if own_any and type_name != ANY_TYPE:
        return own_any
    parent = folder.__parent__
    if parent is None:
        return policy.default_workflow(type_name, registry)
    return policy.workflow_id_for_type(parent, type_name, registry)
