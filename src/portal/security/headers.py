"""Security headers on every response (S2): a tween outside everything else.

The Content-Security-Policy allows scripts, styles, fonts and images from this site only (plus
``data:`` images and inline styles), forbids plugins, frames inside the portal
(``frame-src 'none'``) and framing the portal anywhere but on itself
(``frame-ancestors 'self'``). A view that needs another policy sets its own header, which the
tween then leaves alone; the other headers are likewise only added when missing. HSTS is sent
only over https, where browsers honour it.
"""

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


def includeme(config):
    config.add_tween("portal.security.headers.security_headers_tween_factory")
