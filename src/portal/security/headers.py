"""Security and caching headers on every response (S2).

The Content-Security-Policy allows scripts, styles, fonts and images from this site only (plus
``data:`` images and inline styles), forbids plugins, frames inside the portal
(``frame-src 'none'``) and framing the portal anywhere but on itself
(``frame-ancestors 'self'``). A view that needs another policy sets its own header, which the
tween then leaves alone; the other headers are likewise only added when missing. HSTS is sent
only over https, where browsers honour it (behind the TLS proxy, waitress takes the scheme
from the trusted proxy's ``X-Forwarded-Proto``: docs/deployment.md).

Caching (S8): shared caches (a proxy of an agency, of a provider) may keep only what every
anonymous visitor gets. ``cache_policy`` marks ``private, no-store`` any response that sets a
cookie, answers someone signed in or between the two steps of signing in, or shows an object
anonymous visitors may not view, whatever its view set; other responses vary by ``Cookie``
(the layout names who is signed in, the cookie chooses the language), unless their view
declared them ``public``, built as anonymous visitors see them (feeds, files of public items).
Static files keep their own headers.
"""
from pyramid.tweens import EXCVIEW
from pyramid_tm import is_tm_active

from .login import PENDING_COOKIE, get_pending
from .policy import anonymous_may_view

CSP_DIRECTIVES = (
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
    "frame-src 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)
HSTS = "max-age=31536000; includeSubDomains"
HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
PRIVATE = "private, no-store"


def add_security_headers(request, response):
    """Add the headers ``response`` does not carry yet; HSTS when ``request`` came over https."""
    headers = response.headers
    for name, value in HEADERS:
        if name not in headers:
            headers[name] = value
    if request.scheme == "https" and "Strict-Transport-Security" not in headers:
        headers["Strict-Transport-Security"] = HSTS
    return response


def security_headers_tween_factory(handler, registry):
    """The tween: every response the application returns, error pages and redirects included."""

    def security_headers_tween(request):
        return add_security_headers(request, handler(request))

    return security_headers_tween


def cache_directives(response):
    """The names of the response's Cache-Control directives, in lower case."""
    value = response.headers.get("Cache-Control", "")
    return {part.split("=", 1)[0].strip().lower() for part in value.split(",") if part.strip()}


def between_two_steps(request):
    """True when the request carries a valid pending sign-in. Its signature is checked only
    when a cookie of that name (with or without a prefix) came: most requests have none."""
    return (any(name.endswith(PENDING_COOKIE) for name in request.cookies)
            and get_pending(request) is not None)


def is_personal(request, directives):
    """True when a shared cache must not keep the response whoever asks next: it shows an
    object anonymous visitors may not view now, or answers a visitor signed in (or between the
    two steps) without its view declaring it ``public`` in ``directives`` (its Cache-Control),
    built as anonymous visitors see it."""
    context = getattr(request, "context", None)
    if context is None:  # failed before traversal: nothing says who may see it
        return True
    if not anonymous_may_view(context, request.root, request.registry.portal_clock.now()):
        return True
    if "public" in directives:
        return False
    return request.identity is not None or between_two_steps(request)


def cache_policy(response, personal):
    """Make ``response`` private (``private, no-store``, overriding the view's max-age) when
    ``personal``, when it sets a cookie or its view said no-store; else let it vary by
    ``Cookie`` unless its view declared it ``public``."""
    directives = cache_directives(response)
    if personal or "no-store" in directives or "Set-Cookie" in response.headers:
        response.headers["Cache-Control"] = PRIVATE
        response.headers.pop("Expires", None)
    elif "public" not in directives:
        vary = response.headers.get("Vary")
        if not vary:
            response.headers["Vary"] = "Cookie"
        elif "cookie" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Cookie"
    return response


def cache_policy_tween_factory(handler, registry):
    """The tween, inside the transaction (it reads the visitor and the context) and over the
    exception views (refusals and error pages pass it too). Static files, served without a
    transaction nor database, are the same for everyone and keep their headers."""

    def cache_policy_tween(request):
        response = handler(request)
        if not is_tm_active(request):
            return response
        # A view's no-store (refusals, the pages of an unreachable database) and an error
        # page need no check, which must not touch a database that may be down nor the object
        # whose reading failed.
        directives = cache_directives(response)
        personal = ("no-store" in directives or response.status_code >= 500
                    or is_personal(request, directives))
        # The CSRF token's cookie and a reissued session ticket are set by response callbacks,
        # after every tween: the headers are decided after them.
        request.add_response_callback(
            lambda request, response: cache_policy(response, personal))
        return response

    return cache_policy_tween


def includeme(config):
    config.add_tween("portal.security.headers.security_headers_tween_factory")
    config.add_tween("portal.security.headers.cache_policy_tween_factory",
                     under="pyramid_tm.tm_tween_factory", over=EXCVIEW)
