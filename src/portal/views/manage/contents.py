"""A folder's contents table: sorting, pages, bulk delete, cut, copy and paste, moving up and
down (the clipboard itself is ``clipboard.py``).

Pages of a big date-ordered section are read from its date index, never by loading every
child (a bigger section than ``SORT_LIMIT`` counts what the visitor may view in the catalog); sorting by title or type loads the children and is offered only up to
``SORT_LIMIT`` of them.
"""
from itertools import islice

from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ...catalog.search import Eq, search
from ...content.events import ObjectModified
from ...content.types import Folder
from ...i18n import _
from ...navigation import path_of
from ...security.roles import ADD, CONTENTS, EDIT, VIEW
from ...text.folding import fold
from ..pages import page_number
from ..workflow import state_title
from .clipboard import hidden_inside, holds_hidden, paste, read_clipboard, write_clipboard
from .edit import addable_types, delete_items, may_delete, type_label

PAGE_SIZE = 50
SORT_LIMIT = 2000
SORTS = {"": _("Folder order"), "title": _("Title"), "type": _("Type"), "date": _("Date")}
DONE = {
    "deleted": _("Deleted: ${count}."),
    "cut": _("Cut: ${count}. Open the folder to move them to and paste them there."),
    "copied": _("Copied: ${count}. Open the folder to copy them to and paste them there."),
    "pasted": _("Pasted: ${count}."),
    "moved": _("The order was changed."),
}


def _sort(request, folder):
    sort = request.GET.get("sort", "")
    if sort not in SORTS or (sort in ("title", "type") and len(folder) > SORT_LIMIT):
        return ""
    return sort


def _ordered(request, folder, sort):
    """The children of ``folder`` in the table's order, loaded as they are read."""
    if sort == "date" or (not sort and folder.order == "date"):
        return folder.newest_first()
    if not sort:
        return (folder[name] for name in folder)
    translate = request.localizer.translate

    def key(obj):
        if sort == "title":
            return (fold(obj.title), obj.__name__)
        return (fold(translate(type_label(obj.type_name))), fold(obj.title), obj.__name__)

    return iter(sorted(folder.values(), key=key))


def _visible_page(request, folder, sort, start, stop):
    """(count, items): how many children the visitor may view, and those from ``start`` to
    ``stop`` among them, so that the pager never counts what the table will not show (S8).

    Up to ``SORT_LIMIT`` children each is checked; a bigger (date-ordered) section takes the
    count from the catalog, filtered for the visitor, and reads only as far as the page asked.
    """
    visible = (obj for obj in _ordered(request, folder, sort)
               if request.has_permission(VIEW, obj))
    if len(folder) <= SORT_LIMIT:
        children = list(visible)
        return len(children), children[start:stop]
    count, _docids = search(request, Eq("parent", path_of(folder)), active_only=False)
    return int(count), list(islice(visible, start, stop))


def contents_values(context, request, problems=(), done=None):
    """The values of ``templates/manage/contents.pt``."""
    sort = _sort(request, context)
    number = page_number(request, len(context), PAGE_SIZE)[0]
    start = (number - 1) * PAGE_SIZE
    count, items = _visible_page(request, context, sort, start, start + PAGE_SIZE)
    number, last = page_number(request, count, PAGE_SIZE)
    if start >= count > 0:
        start = (number - 1) * PAGE_SIZE
        items = _visible_page(request, context, sort, start, start + PAGE_SIZE)[1]
    can_move = context.order == "manual" and not sort and request.has_permission(EDIT, context)
    rows = []
    for index, obj in enumerate(items):
        position = start + index
        rows.append({
            "obj": obj, "name": obj.__name__, "title": obj.title or obj.__name__,
            "type": type_label(obj.type_name),
            "state": state_title(request, obj),
            "copy": obj.working_copy is not None,
            "url": request.resource_url(obj, "@@contents") if obj.is_container and
            request.has_permission(CONTENTS, obj) else request.resource_url(obj),
            "edit": request.resource_url(obj, "@@edit")
            if request.has_permission(EDIT, obj) else None,
            "up": can_move and position > 0,
            "down": can_move and position < count - 1,
        })
    if done is None and request.GET.get("done") in DONE:
        try:
            done = (request.GET["done"], max(0, int(request.GET.get("count", "0"))))
        except ValueError:
            done = None
    message = DONE[done[0]] if done else None
    if message is not None:
        message = _(str(message), mapping={"count": done[1]})
    clip = read_clipboard(request)
    return {
        "folder": context, "rows": rows, "count": count, "number": number, "last": last,
        "sort": sort, "sorts": [(key, label) for key, label in SORTS.items()
                                if count <= SORT_LIMIT or key not in ("title", "type")],
        "sort_limited": count > SORT_LIMIT,
        "can_move": can_move, "problems": list(problems), "message": message,
        "clipboard": clip if clip and request.has_permission(ADD, context) else None,
        "addable": [(name, type_label(name)) for name in addable_types(request, context)]
        if request.has_permission(ADD, context) else [],
        "page_url": lambda page, sort=sort: request.resource_url(
            context, "@@contents", query=dict({"sort": sort} if sort else {},
                                              **({"page": page} if page > 1 else {}))),
    }


def contents_response(context, request, problems=(), status=200, done=None):
    response = render_to_response("portal:templates/manage/contents.pt",
                                  contents_values(context, request, problems, done),
                                  request=request)
    response.status = status
    response.cache_control = "no-store"
    return response


def _selected(request, context):
    """The items named in the form that the visitor may view: the table never shows the others,
    so a name typed in by hand must not reach them either (S8)."""
    names = [name for name in request.POST.getall("names") if name in context]
    return [context[name] for name in dict.fromkeys(names)
            if request.has_permission(VIEW, context[name])]


@view_config(context=Folder, name="contents", permission=CONTENTS)
def contents_view(context, request):
    """The table (GET); the bulk actions and the up/down buttons post back here."""
    if request.method != "POST":
        return contents_response(context, request)
    moving = request.POST.get("up") or request.POST.get("down")
    if moving:
        return _move(context, request, moving, up=bool(request.POST.get("up")))
    action = request.POST.get("action")
    if action not in ("delete", "cut", "copy"):
        raise HTTPBadRequest()
    objects = _selected(request, context)
    if not objects:
        return contents_response(context, request, status=400,
                                 problems=[_("Select at least one item first.")])
    if action in ("delete", "cut"):
        refused = [obj for obj in objects if not may_delete(request, obj)]
        if refused:
            return contents_response(context, request, status=403, problems=[
                _("You may not delete or move “${title}”.", mapping={"title": obj.title})
                for obj in refused])
    if action == "cut":
        holding = [obj for obj in objects if hidden_inside(request, obj)]
        if holding:
            return contents_response(context, request, status=403,
                                     problems=[holds_hidden(obj.title) for obj in holding])
    if action == "delete":
        return render_to_response("portal:templates/manage/delete.pt", {
            "items": objects, "refused": False, "type_label": type_label,
            "names": [obj.__name__ for obj in objects],
            "action": request.resource_url(context, "@@delete-items"),
            "cancel_url": request.resource_url(context, "@@contents")}, request=request)
    response = HTTPSeeOther(location=request.resource_url(
        context, "@@contents", query={"done": "cut" if action == "cut" else "copied",
                                      "count": len(objects)}))
    write_clipboard(request, response, action, objects)
    return response


def _move(context, request, name, up):
    if not request.has_permission(EDIT, context):
        raise HTTPForbidden()
    if context.order != "manual" or name not in context:
        raise HTTPBadRequest()
    names = list(context._manual)
    index = names.index(name)
    context.move(name, index - 1 if up else index + 1)
    request.registry.notify(ObjectModified(context, context.__parent__, context.__name__))
    query = {"done": "moved"}
    if request.POST.get("page", "").isdigit() and int(request.POST["page"]) > 1:
        query["page"] = request.POST["page"]
    return HTTPSeeOther(location=request.resource_url(context, "@@contents", query=query,
                                                      anchor=f"row-{name}"))


@view_config(context=Folder, name="delete-items", permission=CONTENTS, request_method="POST")
def delete_items_view(context, request):
    """Delete the confirmed items (each needs the right to delete it)."""
    objects = _selected(request, context)
    if any(not may_delete(request, obj) for obj in objects):
        raise HTTPForbidden()
    count = delete_items(request, context, objects)
    return HTTPSeeOther(location=request.resource_url(
        context, "@@contents", query={"done": "deleted", "count": count}))


@view_config(context=Folder, name="paste", permission=ADD, request_method="POST")
def paste_view(context, request):
    """Paste what was cut or copied into this folder (or empty the clipboard); the table
    shows what could not be pasted."""
    clip = read_clipboard(request)
    location = request.resource_url(context, "@@contents")
    if request.POST.get("clear") or clip is None:
        response = HTTPSeeOther(location=location)
        write_clipboard(request, response, None, ())
        return response
    done, problems = paste(request, context, clip)
    if problems:
        response = contents_response(context, request, problems=problems,
                                     status=200 if done else 400,
                                     done=("pasted", done) if done else None)
    else:
        response = HTTPSeeOther(location=request.resource_url(
            context, "@@contents", query={"done": "pasted", "count": done}))
    if clip["op"] == "cut":
        write_clipboard(request, response, None, ())
    return response
