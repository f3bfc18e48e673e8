"""The Manager's trash page (``/@@trash``): what was deleted, by whom and when, and Restore.

Reading the page writes nothing; restoring is a POST (CSRF-checked) that puts the item back
at its place or says, in the page's language, why it cannot: its folder is gone, or another
item took its name meanwhile. Purging is ``portal purge-trash``'s, never a page view's.
"""
from datetime import timedelta

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ...content.base import object_at
from ...content.types import Site
from ...i18n import _
from ...navigation import path_of
from ...security.audit import audit
from ...security.roles import MANAGE
from ...trash import RestoreRefused, get_trash, restore
from .edit import type_label

TEMPLATE = "portal:templates/manage/trash.pt"
REFUSALS = {
    "gone": _("“${title}” cannot go back: the folder ${path} it was in no longer exists. "
              "Restore that folder first, or make it again."),
    "taken": _("“${title}” cannot go back: another item now has the address ${path}. "
               "Rename that item first."),
}


def trash_values(request, site, problem=None, restored=None):
    """The values of ``templates/manage/trash.pt``."""
    days = request.registry.portal_trash_days
    rows = [{"key": key, "title": entry.title, "type": type_label(entry.type_name),
             "path": "/" + entry.path, "deleted_by": entry.deleted_by,
             "deleted_at": entry.deleted_at, "inside": entry.inside,
             "purge_after": entry.deleted_at + timedelta(days=days)}
            for key, entry in get_trash(site).entries()]
    return {"rows": rows, "days": days, "problem": problem, "restored": restored,
            "action": request.resource_url(site, "@@trash")}


def _respond(request, site, status=200, **values):
    response = render_to_response(TEMPLATE, trash_values(request, site, **values),
                                  request=request)
    response.status = status
    response.cache_control = "no-store"
    return response


@view_config(context=Site, name="trash", permission=MANAGE)
def trash_view(context, request):
    """The trash (GET); its Restore buttons post back here with the entry's key."""
    if request.method != "POST":
        # Only the path of an item that exists: the page never shows text from the URL.
        restored = object_at(context, request.GET.get("restored", ""))
        return _respond(request, context,
                        restored=None if restored in (None, context) else restored)
    key = request.POST.get("restore", "")
    try:
        obj = restore(context, key, request.registry)
    except KeyError:
        return _respond(request, context, status=404, problem=_(
            "This item is no longer in the trash: it was restored or purged meanwhile."))
    except RestoreRefused as refused:
        where = refused.entry.parent_path if refused.reason == "gone" else refused.entry.path
        return _respond(request, context, status=409, problem=_(
            str(REFUSALS[refused.reason]),
            mapping={"title": refused.entry.title, "path": "/" + where}))
    audit(request, "restored", target="/" + path_of(obj), details=f"{obj.type_name}: {obj.title}")
    return HTTPSeeOther(location=request.resource_url(context, "@@trash",
                                                      query={"restored": path_of(obj)}))
