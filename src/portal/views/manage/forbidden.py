"""The refusal page (403) inside the layout.

Anonymous visitors get the same status, with a link to sign in that brings them back to the
page they asked for (``@@login?came_from=``); signed-in users are told they may not do this.
The page names nothing of the object refused, which may be private.
"""
from pyramid.view import forbidden_view_config


@forbidden_view_config(renderer="portal:templates/manage/forbidden.pt")
def forbidden(exc, request):
    request.response.status = 403
    request.response.cache_control = "no-store"
    came_from = request.path_info
    if request.method == "GET" and request.query_string:
        came_from += "?" + request.query_string
    login_url = request.resource_url(request.root, "@@login", query={"came_from": came_from})
    return {"context": request.root, "login_url": login_url,
            "signed_in": request.authenticated_userid is not None}
