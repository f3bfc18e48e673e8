"""Malformed requests (S2, E3): answered 400 with a plain page inside the layout, never 500.

WebOb decodes the path and the query lazily, so invalid UTF-8 there (``/%ff``, ``?q=%ff``)
raises wherever a view, a tween or pyramid_tm first reads them, mostly outside any exception
view. ``malformed_guard`` therefore looks at the request before anything else does: the path,
the query, a form body (a multipart body without a boundary cannot be parsed), NUL bytes in
values, and control characters in ``came_from`` (it becomes a ``Location`` header, where a
line break would split the response). A request found malformed is turned into a plain
``GET /@@bad-request`` carrying nothing of what was sent, so the page goes through the normal
pipeline (transaction, layout, chosen language, security headers) with input known to be safe.
"""
import logging
import re

from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config

from ..content.types import Site
from ..security.roles import VIEW

log = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A return address is a path: any control character in it is an attack or garbage.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BARE_PAGE = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
             "<title>Yêu cầu không hợp lệ</title></head><body><h1>Yêu cầu không hợp lệ</h1>"
             "<p>Địa chỉ hoặc biểu mẫu vừa gửi có ký tự không đọc được. Hãy kiểm tra lại địa "
             "chỉ, hoặc quay lại và gửi lại biểu mẫu.</p><p lang='en'>The address or form "
             "just sent holds characters that cannot be read. Check the address, or go back "
             "and send the form again.</p></body></html>")
REASON = "portal.malformed"


def _bad_values(pairs):
    """Why these (name, value) pairs are malformed, or None; files are not looked into."""
    for name, value in pairs:
        if "\x00" in name:
            return "NUL byte in a field name"
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            return f"NUL byte in {name!r}"
        if name == "came_from" and CONTROL.search(value):
            return "control character in came_from"
    return None


def problem_of(request):
    """What makes ``request`` malformed, or None when it can be handled safely."""
    try:
        request.path_info.encode("utf-8")
        query = list(request.GET.items())
    except UnicodeDecodeError:
        return "invalid UTF-8 in the address"
    problem = _bad_values(query)
    if problem or request.method in ("GET", "HEAD"):
        return problem
    if request.content_type in FORM_TYPES:
        try:
            form = list(request.POST.items())
        except (ValueError, UnicodeDecodeError) as exc:
            # WebOb's multipart parser raises ValueError for a missing or broken boundary.
            return f"unreadable form body: {exc}"
        return _bad_values(form)
    return None


def malformed_guard(handler, registry):
    """Tween factory, outermost but for the security headers: a malformed request becomes a
    bare ``GET /@@bad-request`` before pyramid_tm or any view reads what was sent."""

    def tween(request):
        problem = problem_of(request)
        if problem:
            log.info("malformed request refused (%s): %s %r", problem, request.method,
                     request.environ.get("PATH_INFO", ""))
            environ = request.environ
            environ.update({"REQUEST_METHOD": "GET", "PATH_INFO": "/@@bad-request",
                            "QUERY_STRING": "", "CONTENT_LENGTH": "0", REASON: problem})
            environ.pop("CONTENT_TYPE", None)
            request.body = b""
        return handler(request)

    return tween


@view_config(context=Site, name="bad-request", permission=VIEW)
def bad_request(context, request):
    """400 within the layout in plain language; the bare bilingual page if the layout fails."""
    try:
        response = render_to_response("portal:templates/bad_request.pt",
                                      {"context": context}, request=request)
    except Exception:  # the layout itself may be what failed
        log.exception("bad-request page could not be rendered")
        response = Response(BARE_PAGE, content_type="text/html", charset="utf-8")
    response.status = 400
    response.cache_control = "no-store"
    return response


def includeme(config):
    config.add_tween("portal.views.malformed.malformed_guard",
                     under="portal.security.headers.security_headers_tween_factory",
                     over="portal.views.unavailable.outer_guard")
