"""Discarding a working copy (publishing/working_copy.py): the published text stays as it is."""
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..content.base import Content
from ..publishing import worklist
from ..publishing.working_copy import discard, is_working_copy
from ..security.roles import EDIT
from .manage.edit import type_label


@view_config(context=Content, name="discard", permission=EDIT,
             renderer="portal:templates/manage/delete.pt")
def discard_view(context, request):
    """GET asks for confirmation; POST forgets the working copy and returns to the item."""
    if not is_working_copy(context):
        raise HTTPNotFound()
    item = context.__parent__
    if not request.has_permission(EDIT, item):
        raise HTTPForbidden()
    if request.method == "POST":
        worklist.unindex_tree(context, item, context.__name__)
        discard(item)
        return HTTPSeeOther(location=request.resource_url(item))
    return {"items": [context], "refused": False, "names": (), "type_label": type_label,
            "action": request.resource_url(context, "@@discard"),
            "cancel_url": request.resource_url(context)}
