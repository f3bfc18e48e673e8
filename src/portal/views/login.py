"""Sign-in (password, then a second step), two-step enrolment, and sign-out (S1)."""
from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import forget, remember
from pyramid.view import view_config

from ..content.types import Site
from ..i18n import _
from ..security import login as twostep
from ..security.audit import audit
from ..security.roles import VIEW
from ..security.throttle import account_key, address_key

# Hashing a password for an unknown login costs as much as checking a real one, so response
# times do not tell which logins exist.
_DUMMY_HASH_USER = None


def _safe_target(request, came_from):
    """``came_from`` when it is a path of this site, else the home page."""
    if came_from and came_from.startswith("/") and not came_from.startswith("//"):
        return request.application_url + came_from
    return request.application_url + "/"


def _wait_message(request, seconds):
    if seconds >= 120:
        return _("Too many failed attempts. Try again in ${minutes} minutes.",
                 mapping={"minutes": -(-seconds // 60)})
    return _("Too many failed attempts. Try again in ${seconds} seconds.",
             mapping={"seconds": seconds})


def _finish(request, user, came_from):
    """Complete a sign-in: a new session cookie and a new CSRF token."""
    response = HTTPSeeOther(location=_safe_target(request, came_from))
    response.headerlist.extend(remember(request, user.login))
    twostep.clear_pending(request, response)
    new_csrf_token(request)
    audit(request, "login", target=user.login, actor=user.login)
    return response


@view_config(context=Site, name="login", permission=VIEW, renderer="portal:templates/login.pt")
def login(context, request):
    """Step one: user name and password."""
    came_from = request.params.get("came_from", "")
    values = {"message": None, "login_name": "", "came_from": came_from, "status": None}
    if request.GET.get("done") == "password-reset":
        values["status"] = _("Your new password is set. Sign in with it.")
    if request.method != "POST":
        return values
    login_name = request.POST.get("login", "").strip().lower()
    password = request.POST.get("password", "")
    values["login_name"] = login_name
    now = request.registry.portal_clock.now()
    throttle = context.throttle
    keys = (account_key(login_name), address_key(request.client_addr))
    wait = max(throttle.wait(key, now) for key in keys)
    if wait:
        values["message"] = _wait_message(request, wait)
        request.response.status = 429
        return values
    user = context.users.get(login_name)
    valid = user is not None and user.active and user.check_password(password)
    if user is None:
        _equalise_timing(password)
    if not valid:
        locked = [throttle.failed(key, now) for key in keys]
        audit(request, "login-failed", target=login_name)
        if any(locked):
            audit(request, "lockout", target=login_name)
        values["message"] = _("Wrong user name or password.")
        request.response.status = 401
        return values
    throttle.succeeded(keys[0])
    if not twostep.needs_two_step(request, user):
        return _finish(request, user, came_from)
    response = HTTPSeeOther(location=request.resource_url(
        context, "@@login-code" if user.two_step_enrolled else "@@two-step-setup",
        query={"came_from": came_from}))
    twostep.set_pending(request, response, user.login)
    return response


def _equalise_timing(password):
    global _DUMMY_HASH_USER
    from ..security.principals import User
    if _DUMMY_HASH_USER is None:
        _DUMMY_HASH_USER = User("timing")
        _DUMMY_HASH_USER.set_password("timing-equaliser-0")
    _DUMMY_HASH_USER.check_password(password)


def _pending_user(context, request):
    pending = twostep.get_pending(request)
    user = context.users.get(pending["u"]) if pending else None
    return (pending, user) if user is not None and user.active else (None, None)


@view_config(context=Site, name="login-code", permission=VIEW,
             renderer="portal:templates/login_code.pt")
def login_code(context, request):
    """Step two: a code from the authenticator app, or a recovery code."""
    came_from = request.params.get("came_from", "")
    _pending, user = _pending_user(context, request)
    if user is None or not user.two_step_enrolled:
        return HTTPSeeOther(location=request.resource_url(context, "@@login",
                                                          query={"came_from": came_from}))
    values = {"message": None, "came_from": came_from}
    if request.method != "POST":
        return values
    now = request.registry.portal_clock.now()
    key = account_key(user.login)
    wait = context.throttle.wait(key, now)
    if wait:
        values["message"] = _wait_message(request, wait)
        request.response.status = 429
        return values
    result = twostep.check_second_factor(user, request.POST.get("code", ""), now)
    if result in ("totp", "recovery"):
        context.throttle.succeeded(key)
        return _finish(request, user, came_from)
    if context.throttle.failed(key, now):
        audit(request, "lockout", target=user.login)
    audit(request, "login-failed", target=user.login, details=f"second step: {result or 'wrong'}")
    values["message"] = (_("This code has already been used. Wait for the next one.")
                         if result == "replay" else _("The code is not right. Try again."))
    request.response.status = 401
    return values


@view_config(context=Site, name="two-step-setup", permission=VIEW,
             renderer="portal:templates/two_step_setup.pt")
def two_step_setup(context, request):
    """Enrolment: scan the QR code (or type the secret), confirm with a code, keep the
    recovery codes. Reached after the password step, or by a signed-in user."""
    came_from = request.params.get("came_from", "")
    pending, user = _pending_user(context, request)
    if user is None:
        user = request.identity
    if user is None:
        return HTTPSeeOther(location=request.resource_url(context, "@@login"))
    secret = (pending or {}).get("s") or request.POST.get("secret") or twostep.new_secret(request)
    issuer = context.settings.get("short_title") or context.title
    values = {"message": None, "came_from": came_from, "secret": secret, "codes": None,
              "qr": twostep.qr_data_uri(twostep.provisioning_uri(secret, user.login, issuer))}
    if request.method == "POST":
        now = request.registry.portal_clock.now()
        step = twostep.matching_step(secret, request.POST.get("code", ""), now)
        if step is not None:
            user.totp_secret = secret
            user.totp_last_step = step
            codes = twostep.new_recovery_codes(request)
            user.set_recovery_codes(codes)
            audit(request, "twostep-enrolled", target=user.login, actor=user.login)
            values["codes"] = codes
            if pending:
                response = request.response
                response.headerlist.extend(remember(request, user.login))
                twostep.clear_pending(request, response)
                new_csrf_token(request)
                audit(request, "login", target=user.login, actor=user.login)
            return values
        values["message"] = _("The code is not right. Check the time on your phone and try again.")
        request.response.status = 400
    if pending and pending.get("s") != secret:
        twostep.set_pending(request, request.response, user.login, secret)
    return values


@view_config(context=Site, name="logout", permission=VIEW, renderer="portal:templates/logout.pt")
def logout(context, request):
    """Sign out (a POST with the CSRF token; GET shows the button)."""
    if request.method != "POST":
        return {}
    user = request.identity
    response = HTTPSeeOther(location=request.application_url + "/")
    if user is not None:
        audit(request, "logout", target=user.login, actor=user.login)
    response.headerlist.extend(forget(request))
    return response
