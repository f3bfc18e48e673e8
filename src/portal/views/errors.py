"""Not-found and error pages inside the layout; no traceback outside debug mode."""
import logging

from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.settings import asbool
from pyramid.view import exception_view_config, notfound_view_config

log = logging.getLogger(__name__)

BARE_ERROR = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>Lỗi</title>"
              "</head><body><h1>Đã có lỗi xảy ra</h1><p>Xin vui lòng thử lại sau.</p>"
              "<p lang='en'>Something went wrong. Please try again later.</p></body></html>")


@notfound_view_config(renderer="portal:templates/notfound.pt")
def not_found(context, request):
    """404 within the layout, with ways back."""
    request.response.status = 404
    return {"context": request.root}


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

