"""An item's history (``@@history``): its revisions and workflow transitions newest first, the
differences between two revisions (``?against=3&diff=5``, word by word), and ``@@revert``.

Everything shown from a revision passes through the template's escaping; the body is compared
as text with its tags dropped (``revisions.html_text``), so nothing from a revision can add
markup to the page.
"""
from datetime import UTC, datetime

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ...content.base import Content
from ...content.blobs import FileData
from ...i18n import _
from ...publishing.working_copy import check_out, needs_working_copy
from ...revisions import (
    get_revision,
    html_text,
    parse_number,
    restore_revision,
    revisions,
    word_diff,
    workflow_transitions,
)
from ...security.roles import EDIT

TEMPLATE = "portal:templates/manage/history.pt"
PAGE_SIZE = 50
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

# Labels of the fields a revision keeps that are not in the types' schemas.
EXTRA_LABELS = {
    "body": _("Body"), "lead": _("Lead"), "tags": _("Tags"), "image": _("Image"),
    "image_caption": _("Caption of the image"), "file": _("File"), "caption": _("Caption"),
    "effective": _("Publication date"), "expires": _("Expiry date"),
}
KIND_LABELS = {
    "created": _("Created"), "edited": _("Edited"), "baseline": _("Earlier state"),
    "reverted": _("Reverted"), "working-copy": _("Approved working copy published"),
}


def _workflow_titles(request, obj):
    """(transition title by id, state title by id) of ``obj``'s workflow, translated; empty
    when it has none (an id without a title is shown as it is)."""
    from ...publishing.labels import label

    workflows = getattr(request.registry, "portal_workflows", None) or {}
    wf = workflows.get(getattr(obj, "workflow_id", None))
    if wf is None:
        return {}, {}
    tr = request.localizer.translate
    return ({key: tr(label(t.title)) for key, t in wf.transitions.items() if t.title},
            {key: tr(label(state.title)) for key, state in wf.states.items() if state.title})


def field_labels(obj):
    """{field name: label} for ``obj``'s type."""
    schema = getattr(type(obj), "schema", None)
    labels = dict(EXTRA_LABELS)
    if schema is not None:
        labels.update({node.name: node.title for node in schema().children})
    return labels


def person(request, login):
    """How a login is shown: the user's full name when the user exists."""
    if not login:
        return request.localizer.translate(_("System"))
    users = getattr(request.root, "users", None)
    user = users.get(login) if users is not None else None
    return user.fullname if user is not None and user.fullname else login


def _time(when):
    """An aware datetime to sort and show (the epoch for a missing or malformed one)."""
    if not isinstance(when, datetime):
        return EARLIEST
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def history_rows(request, obj):
    """Revisions and workflow transitions of ``obj`` as rows, newest first."""
    translate = request.localizer.translate
    labels = field_labels(obj)
    rows = []
    for number, entry in revisions(obj):
        note = entry.get("note") or ""
        if entry.get("reverted") is not None:
            reverted = translate(_("Reverted to revision ${number}",
                                   mapping={"number": entry["reverted"]}))
            note = f"{reverted}. {note}" if note else reverted
        rows.append({
            "type": "revision", "number": number, "who": person(request, entry.get("actor")),
            "time": _time(entry.get("time")), "note": note,
            "what": translate(KIND_LABELS.get(entry.get("kind"), KIND_LABELS["edited"])),
            "changed": ", ".join(translate(labels.get(name, name))
                                 for name in entry.get("changed") or ()),
        })
    transitions, states = _workflow_titles(request, obj) if workflow_transitions(obj) \
        else ({}, {})
    for entry in workflow_transitions(obj):
        transition = str(entry.get("transition") or "")
        rows.append({
            "type": "transition", "number": None, "who": person(request, entry.get("actor")),
            "time": _time(entry.get("time")), "note": str(entry.get("comment") or ""),
            "what": transitions.get(transition, transition),
            "changed": " → ".join(states.get(entry[key], str(entry[key]))
                                  for key in ("from", "to") if entry.get(key)),
        })
    rows.sort(key=lambda row: (row["time"], row["type"] == "transition", row["number"] or 0),
              reverse=True)
    return rows


def value_text(request, name, value, other=None):
    """A field's value as text for the diff (never markup)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return request.localizer.translate(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return request.layout.datetime(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, FileData):
        text = f"{value.filename} ({max(1, round((value.size or 0) / 1024))} kB)"
        if isinstance(other, FileData) and other is not value \
                and other.filename == value.filename:
            text += " " + request.localizer.translate(_("(another upload)"))
        return text
    if name == "body":
        return html_text(value)
    return str(value)


def field_diffs(request, obj, older, newer):
    """[{"label", "parts"}] for each field that differs between two revisions' values."""
    labels = field_labels(obj)
    diffs = []
    for name in list(dict.fromkeys([*older, *newer])):
        old, new = older.get(name), newer.get(name)
        if isinstance(old, FileData) or isinstance(new, FileData):
            same = old is new
        else:
            same = old == new
        if same:
            continue
        old_text = value_text(request, name, old, new)
        new_text = value_text(request, name, new, old)
        diffs.append({"name": name, "label": labels.get(name, name),
                      "parts": word_diff(old_text, new_text)})
    return diffs


DONE = {"reverted": _("Reverted to revision ${number}; the item's fields are those of that "
                      "revision again, kept as revision ${new}.")}


def _done_message(request):
    message = DONE.get(request.GET.get("done", ""))
    number, new = (parse_number(request.GET.get(key)) for key in ("revision", "new"))
    if message is None or number is None or new is None:
        return None
    return request.localizer.translate(_(str(message), mapping={"number": number, "new": new}))


def history_response(context, request, error=None, status=200):
    """The history page (with the diff asked for, or ``error`` and ``status``)."""
    rows = history_rows(request, context)
    numbers = [row["number"] for row in rows if row["number"] is not None]
    page = parse_number(request.GET.get("page")) or 1
    last = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, last)
    diff = None
    if error is None and ("diff" in request.GET or "against" in request.GET):
        diff, error, status = _diff(context, request, numbers)
    values = {
        "rows": rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], "page": page, "last": last,
        "numbers": numbers, "diff": diff, "error": error, "message": _done_message(request),
        "chosen": (diff["older"], diff["newer"]) if diff else
        (numbers[1] if len(numbers) > 1 else None, numbers[0] if numbers else None),
        "page_url": lambda number: request.resource_url(context, "@@history",
                                                        query={"page": number}),
    }
    response = render_to_response(TEMPLATE, values, request=request)
    response.status = status
    return response


def _diff(context, request, numbers):
    first, second = (parse_number(request.GET.get(key)) for key in ("against", "diff"))
    if first is None or second is None:
        return None, _("Choose two revisions to compare."), 400
    older, newer = sorted((first, second))
    try:
        old, new = (get_revision(context, number)["fields"] for number in (older, newer))
    except KeyError as exc:
        return None, _("There is no revision ${number} of this item.",
                       mapping={"number": exc.args[0]}), 404
    return {"older": older, "newer": newer,
            "fields": field_diffs(request, context, old, new)}, None, 200


@view_config(context=Content, name="history", permission=EDIT)
def history_view(context, request):
    """The item's revisions and workflow transitions, and the diff of two revisions."""
    return history_response(context, request)


@view_config(context=Content, name="revert", permission=EDIT, request_method="POST")
def revert_view(context, request):
    """Put back the fields of revision ``revision`` (a new revision records it)."""
    number = parse_number(request.POST.get("revision"))
    if number is None:
        return history_response(context, request, status=400, error=_(
            "Choose the revision to go back to."))
    try:
        get_revision(context, number)
    except KeyError:
        return history_response(context, request, status=404, error=_(
            "There is no revision ${number} of this item.", mapping={"number": number}))
    # A published item is not changed in place: the old text goes to its working copy, which
    # passes approval like any other change.
    target = check_out(request, context) if needs_working_copy(request.registry, context) \
        else context
    new = restore_revision(request, context, number, target=target)
    return HTTPSeeOther(location=request.resource_url(
        target, "@@history", query={"done": "reverted", "revision": number, "new": new}))
