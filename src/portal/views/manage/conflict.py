"""An edit saved from an older revision: what someone else saved meanwhile, beside what was typed.

Nothing is applied and nothing is lost: the form comes back with what was typed (and an
accepted upload stays in its store), above it who saved meanwhile, which fields they changed,
and, field by field, the saved text and the typed text side by side with their word
differences. The form then carries the newest revision, so that saving again replaces the
other save by choice.
"""
import colander
from pyramid.renderers import render

from ...revisions import html_text, revision_count, revisions, word_diff
from .forms import NOTE_FIELD, REVISION_FIELD, object_values
from .history import person, value_text

CONFLICT_TEMPLATE = "portal:templates/manage/edit_conflict.pt"


def saved_since(request, obj, schema, number):
    """What was saved of ``obj`` after its revision ``number``: who, when, which fields."""
    newer = [meta for found, meta in revisions(obj, newest_first=False) if found > number]
    titles = {node.name: request.localizer.translate(node.title) for node in schema.children}
    changed = dict.fromkeys(titles[name] for meta in newer for name in meta["changed"]
                            if name in titles)
    return {"actors": ", ".join(dict.fromkeys(person(request, meta["actor"]) for meta in newer
                                              if meta["actor"])),
            "when": newer[-1]["time"] if newer else None, "changed": list(changed),
            "history_url": request.resource_url(obj, "@@history")}


def _as_text(request, name, value):
    """A form value as the plain text shown in the comparison."""
    if isinstance(value, str):
        return html_text(value) if name == "body" else value.strip()
    if value is None or value is colander.null:
        return ""
    return value_text(request, name, value)


def side_by_side(request, obj, schema, appstruct):
    """[{"label", "saved", "typed", "parts"}] for each field whose typed value differs from
    the one saved now (uploads aside: an accepted upload is kept in the form)."""
    saved = object_values(request, obj, schema)
    rows = []
    for node in schema.children:
        name = node.name
        if name in (NOTE_FIELD, REVISION_FIELD) or name not in saved or name not in appstruct:
            continue
        old, new = (_as_text(request, name, values[name]) for values in (saved, appstruct))
        if old == new:
            continue
        rows.append({"label": request.localizer.translate(node.title), "saved": old,
                     "typed": new, "parts": word_diff(old, new)})
    return rows


def conflict_form(request, form, appstruct, obj, schema, posted, form_kw):
    """The notice and the edit form again with what was typed (status 409)."""
    # An upload field left empty validates to None, which the form cannot render again.
    appstruct = {name: value for name, value in appstruct.items() if value is not None}
    appstruct[REVISION_FIELD] = str(revision_count(obj))
    request.response.status = 409
    values = dict(saved_since(request, obj, schema, posted),
                  fields=side_by_side(request, obj, schema, appstruct))
    return render(CONFLICT_TEMPLATE, values, request) + form.render(appstruct, **form_kw)
