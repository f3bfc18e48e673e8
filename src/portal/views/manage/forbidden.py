"""The refusal page (403) inside the layout.

Anonymous visitors asking for something they may not view (a draft, the internal area) get the
not-found page (404), the same as for an address that does not exist, so that a guessed URL
does not confirm that a private item is there; that page offers to sign in. Asked for an action
on something they may view (``@@edit`` of a published article, ``@@users``), they get 403 with
a link to sign in that brings them back (``@@login?came_from=``). Signed-in users are told they
may not do this. Neither page names anything of the object refused.
"""
from pyramid.view import forbidden_view_config

from ...security.roles import VIEW
from ..errors import not_found_response, sign_in_url


@forbidden_view_config(renderer="portal:templates/manage/forbidden.pt")
def forbidden(exc, request):
    """403 for what the visitor may see exists; 404 for anonymous visitors otherwise."""
    signed_in = request.authenticated_userid is not None
    if not signed_in and not request.has_permission(VIEW, request.context):
        return not_found_response(request)
    request.response.status = 403
    request.response.cache_control = "no-store"
    return {"context": request.root, "login_url": sign_in_url(request),
            "signed_in": signed_in}
