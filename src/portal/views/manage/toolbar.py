"""What the editing toolbar of signed-in users offers at an object (``templates/toolbar.pt``)."""
from ...content.types import Site
from ...i18n import _
from ...publishing.labels import label
from ...publishing.working_copy import is_working_copy
from ...security.roles import ADD, CONTENTS, EDIT, MANAGE, SHARE, VIEW
from .edit import addable_types, may_delete, may_rename, type_label


def toolbar_values(request, context):
    """The toolbar's links at ``context``: only what the user may do there."""
    can = request.has_permission
    url = request.resource_url
    root = request.root
    parent = context.__parent__
    current = request.view_name
    links = [("view", url(context), _label("view"))]
    if can(EDIT, context) and getattr(context, "schema", None) is not None:
        links.append(("edit", url(context, "@@edit"), _label("edit")))
        links.append(("history", url(context, "@@history"), _label("history")))
    if context.is_container and can(CONTENTS, context):
        links.append(("contents", url(context, "@@contents"), _label("contents")))
    if is_working_copy(context):
        # A working copy is not in a folder: no renaming, moving or sharing of its own.
        links.append(("original", url(parent), _label("original")))
        if can(EDIT, parent):
            links.append(("discard", url(context, "@@discard"), _label("discard")))
        return dict(workflow_values(request, context), links=links, addable=[], admin=[],
                    current=current)
    if context.working_copy is not None and can(VIEW, context.working_copy):
        links.append(("working-copy", url(context.working_copy), _label("working-copy")))
    if may_rename(request, context):
        links.append(("rename", url(context, "@@rename"), _label("rename")))
    if not isinstance(context, Site) and may_delete(request, context):
        links.append(("delete", url(context, "@@delete"), _label("delete")))
    if can(SHARE, context):
        links.append(("sharing", url(context, "@@sharing"), _label("sharing")))
    if context.is_container and can(MANAGE, context):
        links.append(("workflow-policy", url(context, "@@workflow-policy"),
                      _label("workflow-policy")))
    addable = []
    if context.is_container and can(ADD, context):
        addable = [(type_label(name), url(context, "@@add", query={"type": name}))
                   for name in addable_types(request, context)]
    admin = []
    if can(MANAGE, root):
        admin = [("users", url(root, "@@users"), _label("users")),
                 ("audit-log", url(root, "@@audit-log"), _label("audit-log")),
                 ("trash", url(root, "@@trash"), _label("trash"))]
    return dict(workflow_values(request, context), links=links, addable=addable, admin=admin,
                current=current)


def workflow_values(request, context):
    """The item's state (for its author and those who may edit it or change its state), the
    transitions the user may make, and the links to the review queue and the dashboard."""
    from ...publishing.policy import transitions_for
    from ..workflow import done_message, state_title, waiting_values

    tr = request.localizer.translate
    transitions = [(t.id, tr(label(t.title)), t.comment_required)
                   for t in transitions_for(request, context)]
    show = transitions or request.has_permission(EDIT, context) or (
        context.creator and context.creator == request.authenticated_userid) or \
        request.GET.get("done") == "transition"   # who just moved it sees where it is
    root = request.root
    return {"state": state_title(request, context) if show else None,
            "done": done_message(request, context) if show else None,
            "transitions": transitions,
            "waiting": waiting_values(request, context) if show else [],
            "transition_url": request.resource_url(context, "@@transition"),
            "work": [(key, request.resource_url(root, f"@@{key}"), _label(key))
                     for key in ("review-queue", "dashboard")]}


LABELS = {
    "view": _("View"), "edit": _("Edit"), "contents": _("Contents"), "rename": _("Rename"),
    "delete": _("Delete"), "sharing": _("Sharing"), "users": _("Administration"),
    "audit-log": _("Audit log"), "history": _("History"), "review-queue": _("Review queue"),
    "dashboard": _("My work"), "original": _("Published version"),
    "working-copy": _("Working copy"), "discard": _("Discard the working copy"),
    "workflow-policy": _("Workflows"), "trash": _("Trash"),
}


def _label(key):
    return LABELS[key]
