"""Two-step sign-in: the password, then a TOTP code or a one-time recovery code (S1).

Between the two steps the browser holds a short-lived signed cookie naming the user who gave
the right password (and, during enrolment, the proposed secret), so that no anonymous GET
writes to the database.
"""
import base64
import io

import pyotp
import qrcode
import qrcode.image.svg
from pyramid.settings import asbool
from webob.cookies import SignedCookieProfile

from .cookies import cookie_name, secure_cookies
from .principals import global_roles, principals_of
from .roles import ANONYMOUS, AUTHENTICATED, ROLES, TWO_STEP_ROLES
from .sharing import holds_privileged_grant

PENDING_COOKIE = "portal_pending"
PENDING_SECONDS = 300
TOTP_STEP = 30
RECOVERY_CODES = 10


# With two steps for everybody, every role but the computed public ones needs them.
ALL_GIVEN_ROLES = frozenset(ROLES) - {ANONYMOUS, AUTHENTICATED}


def two_step_for_all(registry, site):
    """True when the ini file or the site's settings ask everybody for two steps."""
    return asbool(registry.settings.get("portal.two_step_for_all", False)) or \
        bool(site.settings.get("two_step_for_all"))


def roles_needing_two_step(registry, site):
    """The roles that work only in a session that passed the second step (S2)."""
    return ALL_GIVEN_ROLES if two_step_for_all(registry, site) else TWO_STEP_ROLES


def needs_two_step(request, user):
    """True when ``user`` must pass the second step: privileged roles, or a site setting."""
    site = request.root
    if two_step_for_all(request.registry, site):
        return True
    if global_roles(user, site.groups) & TWO_STEP_ROLES:
        return True
    return holds_privileged_grant(site, principals_of(user, site.groups))


def _pending_profile(request):
    settings = request.registry.settings
    profile = SignedCookieProfile(
        settings["portal.secret"], "portal.pending", cookie_name(PENDING_COOKIE, settings),
        secure=secure_cookies(settings) or request.scheme == "https", max_age=PENDING_SECONDS,
        httponly=True, samesite="Lax", path="/")
    return profile.bind(request)


def set_pending(request, response, login, secret=None, raising=False):
    """Remember on ``response`` that ``login`` passed the password step (and its new secret).
    ``raising``: the step is asked of a session already signed in with the password (S2)."""
    now = int(request.registry.portal_clock.now().timestamp())
    value = {"u": login, "t": now}
    if secret:
        value["s"] = secret
    if raising:
        value["r"] = 1
    response.headerlist.extend(_pending_profile(request).get_headers(value))


def get_pending(request):
    """The pending sign-in {"u": login, "t": when, "s"?: secret, "r"?: raising}, or None if
    absent or stale."""
    try:
        value = _pending_profile(request).get_value()
    except (ValueError, TypeError):
        return None
    if not isinstance(value, dict) or "u" not in value:
        return None
    age = request.registry.portal_clock.now().timestamp() - value.get("t", 0)
    return value if 0 <= age <= PENDING_SECONDS else None


def clear_pending(request, response):
    """Drop the pending-sign-in cookie."""
    response.headerlist.extend(_pending_profile(request).get_headers(None))


def new_secret(request):
    """A fresh base32 TOTP secret from the injected randomness."""
    raw = request.registry.portal_random.bytes(20)
    return base64.b32encode(raw).decode().rstrip("=")


def provisioning_uri(secret, login, issuer):
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=issuer)


def qr_data_uri(uri):
    """The QR code of ``uri`` as an SVG data URI (an <img>, so the CSP needs no exception)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def matching_step(secret, code, now):
    """The time step whose TOTP equals ``code`` (now, or one step either side), else None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // TOTP_STEP
    for candidate in (step, step - 1, step + 1):
        if totp.at(candidate * TOTP_STEP) == code:
            return candidate
    return None


def check_second_factor(user, code, now):
    """Check a TOTP or recovery ``code`` for ``user``; returns 'totp', 'recovery', 'replay'
    or None. A TOTP step already used (or older) is a replay and is refused."""
    step = matching_step(user.totp_secret, code, now) if user.totp_secret else None
    if step is not None:
        if step <= user.totp_last_step:
            return "replay"
        user.totp_last_step = step
        return "totp"
    if user.use_recovery_code(code):
        return "recovery"
    return None


def new_recovery_codes(request):
    """Ten fresh one-time recovery codes, shown once (only their hashes are stored)."""
    random = request.registry.portal_random
    codes = []
    for _ in range(RECOVERY_CODES):
        digits = base64.b32encode(random.bytes(5)).decode().lower()
        codes.append(f"{digits[:4]}-{digits[4:8]}")
    return codes
