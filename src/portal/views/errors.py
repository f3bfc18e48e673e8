"""Not-found and error pages inside the layout; no traceback outside debug mode."""
import logging

from pyramid.renderers import render, render_to_response
from pyramid.response import Response
from pyramid.settings import asbool
from pyramid.view import exception_view_config, notfound_view_config

log = logging.getLogger(__name__)

BARE_ERROR = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>Lỗi</title>"
              "</head><body><h1>Đã có lỗi xảy ra</h1><p>Xin vui lòng thử lại sau.</p>"
              "<p lang='en'>Something went wrong. Please try again later.</p></body></html>")


def came_from_here(request):
    """The address to come back to after signing in: the path asked for (its query too on
    GET, whose repetition changes nothing)."""
    came_from = request.path_info
    if request.method == "GET" and request.query_string:
        came_from += "?" + request.query_string
    return came_from


def sign_in_url(request, view="@@login"):
    """The address of the sign-in step ``view``, coming back to the page asked for."""
    return request.resource_url(request.root, view, query={"came_from": came_from_here(request)})


@notfound_view_config(renderer="portal:templates/notfound.pt")
def not_found(context, request):
    """404 within the layout, with ways back (and, for anonymous visitors, to sign in)."""
    request.response.status = 404
    return {"context": request.root, "login_url": sign_in_url(request),
            "signed_in": request.authenticated_userid is not None}


def not_found_response(request):
    """The not-found page as a response, for a view that hides that something exists."""
    response = request.response
    response.text = render("portal:templates/notfound.pt", not_found(None, request),
                           request=request)
    return response


@exception_view_config(Exception)
def server_error(exc, request):
    """500 within the layout; in debug mode the exception propagates to show its traceback."""
    if asbool(request.registry.settings.get("portal.show_tracebacks")):
        raise exc
    log.exception("error while serving %s", request.url, exc_info=exc)
    try:
        response = render_to_response("portal:templates/error.pt",
                                      {"context": request.root}, request=request)
    except Exception:  # the layout itself may be what failed: fall back to bare HTML
        log.exception("error page could not be rendered")
        response = Response(BARE_ERROR, content_type="text/html", charset="utf-8")
    response.status = 500
    return response

