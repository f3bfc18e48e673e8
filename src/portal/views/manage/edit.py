"""Adding, editing, deleting and renaming items.

Each change fires its event (ObjectAdded, ObjectModified, ObjectRemoved), which refreshes the
public pages' derived data; ``navigation.site_data`` never caches what a transaction that has
changed content sees, since it may still abort.
"""
import re
from datetime import UTC

import deform
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ...content.base import Content
from ...content.events import ObjectModified
from ...content.ids import unique_id
from ...content.typeinfo import addable_in, type_info
from ...content.types import Folder
from ...i18n import _
from ...navigation import path_of
from ...publishing.working_copy import check_out, needs_working_copy
from ...revisions import record_baseline, revision_count
from ...security.audit import audit
from ...security.roles import ADD, CONTENTS, DELETE, EDIT, SECTIONS
from ...trash import move_to_trash
from .conflict import conflict_form
from .forms import (
    NOTE_FIELD,
    REVISION_FIELD,
    add_note_field,
    add_revision_field,
    annotate,
    apply_values,
    build_schema,
    forget_bad_uploads,
    make_form,
    object_values,
)
from .sections import is_section

FORM_TEMPLATE = "portal:templates/manage/form.pt"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


def type_label(type_name):
    """The interface's name of a type (its declared title; the name itself when unknown)."""
    info = type_info(type_name)
    return info.title if info is not None else type_name


def addable_types(request, folder):
    """The names of the types ``folder`` may hold, as its type declares."""
    return addable_in(folder.type_name, request.registry)


def _may_remove(request, obj, permission):
    """The right to take ``obj`` from its place (``permission``: delete, or edit for a
    rename): ``permission`` on the item and, for a section (``sections.py``), the ``sections``
    permission on it, else ``permission`` on its folder too, so that an agency's editor
    cannot delete the agency's own section."""
    parent = obj.__parent__
    if parent is None or not request.has_permission(permission, obj):
        return False
    if is_section(request, obj):
        return bool(request.has_permission(SECTIONS, obj))
    return bool(request.has_permission(permission, parent))


def may_delete(request, obj):
    """True when the user may delete ``obj`` or move it away (cut)."""
    return _may_remove(request, obj, DELETE)


def may_rename(request, obj):
    """True when the user may change ``obj``'s name (its address)."""
    return _may_remove(request, obj, EDIT)


def back_to(request, folder):
    """Where to go after a change in ``folder``: its contents table when allowed, else it."""
    if request.has_permission(CONTENTS, folder):
        return request.resource_url(folder, "@@contents")
    return request.resource_url(folder)


def form_kw(request, cancel_url):
    return {"csrf_token": get_csrf_token(request), "cancel_url": cancel_url}


def has_field(schema, name):
    return any(node.name == name for node in schema.children)


def _now(request):
    return request.registry.portal_clock.now()


def _utc(when):
    return when.astimezone(UTC) if when else None


def _render_failure(request, failure, stores, cancel_url):
    forget_bad_uploads(failure, stores)
    annotate(failure.field)
    request.response.status = 400
    return failure.render(**form_kw(request, cancel_url))


@view_config(context=Folder, name="add", permission=ADD, renderer=FORM_TEMPLATE)
def add_view(context, request):
    """``@@add?type=NewsItem``: the add form of a type this folder may hold."""
    allowed = addable_types(request, context)
    type_name = request.params.get("type", "")
    if type_name not in allowed:
        response = render_to_response(
            "portal:templates/manage/choose.pt",
            {"context": context, "choices": [(name, type_label(name)) for name in allowed],
             "refused": bool(type_name)}, request=request)
        if type_name:
            response.status = 400
        return response
    factory = request.registry.content_types[type_name].factory
    schema, stores = build_schema(request, factory)
    form = make_form(request, schema, request.resource_url(context, "@@add",
                                                           query={"type": type_name}), _("Add"))
    cancel = request.resource_url(context)
    label = request.localizer.translate(type_label(type_name))
    values = {"heading": _("Add: ${type}", mapping={"type": label}),
              "rich_text": has_field(schema, "body"), "copy_first": False}
    if request.method == "POST":
        try:
            appstruct = form.validate(list(request.POST.items()))
        except deform.ValidationFailure as failure:
            return dict(values, form_html=_render_failure(request, failure, stores, cancel))
        obj = factory()
        apply_values(request, obj, appstruct, stores)
        obj.creator = request.authenticated_userid
        obj.set_dates(_now(request), _utc(appstruct.get("effective")))
        context.add(unique_id(obj.title, context), obj)
        return HTTPSeeOther(location=request.resource_url(obj))
    annotate(form)
    return dict(values, form_html=form.render(**form_kw(request, cancel)))


@view_config(context=Content, name="edit", permission=EDIT, renderer=FORM_TEMPLATE)
def edit_view(context, request):
    """The edit form, filled with the item's fields; uploads replace only when chosen.

    A save made from an older revision than the item's newest (someone else saved it after
    this form was filled in) is not applied: the form comes back with what was typed and
    what changed meanwhile (409), and saving it again replaces the other save.
    """
    factory = type(context)
    if getattr(factory, "schema", None) is None:
        raise HTTPNotFound()
    copy_first = needs_working_copy(request.registry, context)
    moved_to_copy = False
    if copy_first and context.working_copy is not None:
        # Changes to a published item are made on its working copy under review.
        if request.method != "POST" or not request.has_permission(EDIT, context.working_copy):
            return HTTPSeeOther(location=request.resource_url(context.working_copy, "@@edit"))
        # Someone opened the working copy while this form was open: the typed text goes
        # into the working copy's form instead of being dropped by a redirect.
        context, copy_first, moved_to_copy = context.working_copy, False, True
    schema, stores = build_schema(request, factory, context)
    add_note_field(schema)
    add_revision_field(schema)
    form = make_form(request, schema, request.resource_url(context, "@@edit"), _("Save"))
    cancel = request.resource_url(context)
    values = {"heading": _("Edit: ${title}", mapping={"title": context.title}),
              "rich_text": has_field(schema, "body"), "copy_first": copy_first}
    if request.method == "POST":
        try:
            appstruct = form.validate(list(request.POST.items()))
        except deform.ValidationFailure as failure:
            return dict(values, form_html=_render_failure(request, failure, stores, cancel))
        posted = appstruct.get(REVISION_FIELD, "")
        if moved_to_copy or (posted.isdigit() and int(posted) != revision_count(context)):
            number = int(posted) if posted.isdigit() and not moved_to_copy else 0
            annotate(form)
            return dict(values, form_html=conflict_form(request, form, appstruct, context,
                                                        schema, number,
                                                        form_kw(request, cancel)))
        target = context
        if copy_first:
            target = check_out(request, context)
        else:
            record_baseline(request, context)  # an item older than revisions keeps its state
        apply_values(request, target, appstruct, stores)
        target.set_dates(_now(request), _utc(appstruct.get("effective")))
        request.registry.notify(ObjectModified(target, target.__parent__, target.__name__,
                                               note=appstruct.get(NOTE_FIELD, "")))
        return HTTPSeeOther(location=request.resource_url(target))
    appstruct = object_values(request, context, schema)
    appstruct[REVISION_FIELD] = str(revision_count(context))
    annotate(form)
    return dict(values, form_html=form.render(appstruct, **form_kw(request, cancel)))


def delete_items(request, parent, objects):
    """Move ``objects`` (children of ``parent``) to the trash, auditing each; returns how
    many."""
    now = _now(request)
    for obj in objects:
        target = "/" + path_of(obj)
        details = f"{obj.type_name}: {obj.title}"
        if obj.is_container and len(obj):
            details += f" (with {len(obj)} items inside)"
        move_to_trash(request.root, obj, request.authenticated_userid, now, request.registry)
        audit(request, "deleted", target=target, details=details + "; in the trash")
    return len(objects)


@view_config(context=Content, name="delete", permission=DELETE,
             renderer="portal:templates/manage/delete.pt")
def delete_view(context, request):
    """Asks for confirmation (GET), deletes (POST). The site itself is never deleted."""
    parent = context.__parent__
    if parent is None:
        request.response.status = 403
        return {"items": [], "refused": True, "action": "", "names": (),
                "cancel_url": request.resource_url(context), "type_label": type_label}
    if not may_delete(request, context):
        raise HTTPForbidden()
    if request.method == "POST":
        delete_items(request, parent, [context])
        return HTTPSeeOther(location=back_to(request, parent))
    return {"items": [context], "refused": False, "names": (), "type_label": type_label,
            "action": request.resource_url(context, "@@delete"),
            "cancel_url": request.resource_url(context)}


def name_problem(parent, name):
    """Why ``name`` cannot be the new id in ``parent`` (a message), or None."""
    if not name:
        return _("Give the new name.")
    if not NAME_PATTERN.match(name):
        return _("Use lower-case letters without accents, digits, hyphens and dots (at most "
                 "80 characters), starting with a letter or a digit.")
    try:
        parent.check_name(name)
    except KeyError:
        return _("Another item here already has this name.")
    except ValueError:
        return _("This name is reserved. Choose another.")
    return None


def rename(parent, old, new):
    """Give the child ``old`` of ``parent`` the name ``new``, keeping its place."""
    position = None
    if parent.order == "manual" and old in parent._manual:
        position = list(parent._manual).index(old)
    obj = parent.remove(old)
    parent.add(new, obj)
    if position is not None:
        parent.move(new, position)
    if parent.default_page == old:
        parent.default_page = new
    return obj


@view_config(context=Content, name="rename", permission=EDIT,
             renderer="portal:templates/manage/rename.pt")
def rename_view(context, request):
    """Change an item's id (its address); see ``may_rename``."""
    parent = context.__parent__
    if not may_rename(request, context):
        raise HTTPForbidden()
    old = context.__name__
    values = {"new_name": old, "error": None}
    if request.method == "POST":
        new = request.POST.get("name", "").strip()
        values["new_name"] = new
        if new == old:
            return HTTPSeeOther(location=request.resource_url(context))
        values["error"] = name_problem(parent, new)
        if values["error"] is not None:
            request.response.status = 400
            return values
        old_path = path_of(context)
        obj = rename(parent, old, new)
        audit(request, "renamed", target="/" + path_of(obj), details=f"from /{old_path}")
        return HTTPSeeOther(location=request.resource_url(obj))
    return values
