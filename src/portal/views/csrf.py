"""CSRF (S2): the token's storage, and the refusal of a form without a valid token.

A signed-in browser's token is bound to its session: an HMAC (with ``portal.secret``) of the
session's nonce, so a token taken from another session, or from before the sign-in, is
refused, and a cookie planted by another host changes nothing. Anonymous forms (sign-in,
forgotten password) keep Pyramid's double-submit cookie. The cookie is written either way
(for a session, with its token), named ``__Host-portal_csrf`` when cookies are Secure.

The refusal is a plain page inside the layout, 400.

Pyramid raises ``BadCSRFToken`` when an unsafe request lacks the token of the double-submit
cookie (an expired form, a cleared cookie, or a page of another site posting here) and
``BadCSRFOrigin`` when an https request comes from another origin. Both are answered alike,
never with a traceback.
"""
import hashlib
import hmac
import logging

from pyramid.csrf import CookieCSRFStoragePolicy
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import exception_view_config

from ..security.cookies import HOST_PREFIX
from ..security.policy import session_nonce

log = logging.getLogger(__name__)

BARE_REFUSAL = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
                "<title>Không gửi được biểu mẫu</title></head><body>"
                "<h1>Không gửi được biểu mẫu</h1><p>Biểu mẫu đã hết hạn hoặc được gửi từ một "
                "trang web khác. Hãy quay lại, tải lại trang và gửi lại.</p><p lang='en'>The "
                "form had expired or came from another site. Go back, reload the page and send "
                "it again.</p></body></html>")


def session_token(request, nonce):
    """The CSRF token of the session ``nonce``."""
    secret = request.registry.settings["portal.secret"].encode()
    return hmac.new(secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


class RetrySafeCSRFPolicy(CookieCSRFStoragePolicy):
    """Tokens bound to the session when there is one, else Pyramid's double-submit cookie,
    with a new token kept on the request object.

    Pyramid's policy writes a new token (made at sign-in) into ``request.cookies``, that is
    into the WSGI environ's ``Cookie`` header. When the request's commit then conflicts,
    pyramid_retry runs it again from that same environ: the posted token no longer matches the
    "sent" cookie and a sign-in that only needed a second try is refused as an expired form.

    A Secure cookie is host-only with ``Path=/`` (Pyramid's defaults), so it takes the
    ``__Host-`` prefix, which forbids any other host to set it.
    """

    def __init__(self, cookie_name="csrf_token", secure=False, **kw):
        if secure and not cookie_name.startswith(HOST_PREFIX):
            cookie_name = HOST_PREFIX + cookie_name
        super().__init__(cookie_name=cookie_name, secure=secure, **kw)

    def new_csrf_token(self, request):
        """A new token for this request's response (the session's when one was begun during
        this request); the request's own cookies stay as sent."""
        nonce = session_nonce(request)
        token = session_token(request, nonce) if nonce else self._token_factory()
        request.portal_new_csrf_token = token

        def set_cookie(request, response):
            self.cookie_profile.set_cookies(response, token)

        request.add_response_callback(set_cookie)
        return token

    def get_csrf_token(self, request):
        """The token made during this request, else the session's, else the cookie's (a new
        one when none)."""
        made = getattr(request, "portal_new_csrf_token", None)
        if made:
            return made
        nonce = session_nonce(request)
        return session_token(request, nonce) if nonce else super().get_csrf_token(request)


@exception_view_config(BadCSRFToken)
@exception_view_config(BadCSRFOrigin)
def csrf_refused(exc, request):
    """400 within the layout, saying what to do; the bare bilingual page if the layout fails."""
    log.info("form refused (%s): %s %s", type(exc).__name__, request.method, request.path)
    try:
        response = render_to_response("portal:templates/csrf_error.pt",
                                      {"context": request.root}, request=request)
    except Exception:
        log.exception("CSRF refusal page could not be rendered")
        response = Response(BARE_REFUSAL, content_type="text/html", charset="utf-8")
    response.status = 400
    response.cache_control = "no-store"
    return response
