"""Sign-in (password, then a second step), two-step enrolment, and sign-out (S1)."""
from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import forget, remember
from pyramid.view import forbidden_view_config, view_config

from ..content.types import Site
from ..i18n import _
from ..security import login as twostep
from ..security.audit import audit
from ..security.policy import current_session, end_current_session
from ..security.roles import VIEW
from ..security.throttle import account_key, address_key
from .errors import sign_in_url

# Hashing a password for an unknown login costs as much as checking a real one, so response
# times do not tell which logins exist.
_DUMMY_HASH_USER = None


def _safe_target(request, came_from):
    """``came_from`` when it is a path of this site, else the home page."""
    # Browsers read "/\host" like "//host" (another site), and a control character would
    # split the Location header.
    if came_from and came_from.startswith("/") and came_from[1:2] not in ("/", "\\") \
            and not any(ord(c) < 32 or ord(c) == 127 for c in came_from):
        return request.application_url + came_from
    return request.application_url + "/"


def _wait_message(request, seconds):
    if seconds >= 120:
        return _("Too many failed attempts. Try again in ${minutes} minutes.",
                 mapping={"minutes": -(-seconds // 60)})
    return _("Too many failed attempts. Try again in ${seconds} seconds.",
             mapping={"seconds": seconds})


def _sign_in(request, response, user, two_step):
    """Set a new session cookie on ``response`` and a new CSRF token. A session of ``user``
    that the second step raises keeps its issue time: the code renews no password."""
    issued = None
    pending = twostep.get_pending(request) or {}
    if pending.get("r") and request.identity is not None and \
            request.identity.login == user.login:
        issued = current_session(request)[0]
    response.headerlist.extend(remember(request, user.login, two_step=two_step, issued=issued))
    twostep.clear_pending(request, response)
    new_csrf_token(request)
    audit(request, "login", target=user.login, actor=user.login)
    return response


def _finish(request, user, came_from, two_step=False):
    """Complete a sign-in and go where the visitor was going."""
    response = HTTPSeeOther(location=_safe_target(request, came_from))
    return _sign_in(request, response, user, two_step)


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
    wait = throttle.wait(keys[0], now)
    if wait:
        values["message"] = _wait_message(request, wait)
        request.response.status = 429
        return values
    # The address's delay holds back wrong passwords only: many people may share the address
    # (one NAT for a whole office), and a guesser there must not lock them all out.
    address_wait = throttle.wait(keys[1], now)
    user = context.users.get(login_name)
    valid = user is not None and user.active and user.check_password(password)
    if user is None:
        _equalise_timing(password)
    if not valid:
        locked = [throttle.failed(key, now) for key in keys]
        audit(request, "login-failed", target=login_name)
        if any(locked):
            audit(request, "lockout", target=login_name)
        if address_wait:
            values["message"] = _wait_message(request, throttle.wait(keys[1], now))
            request.response.status = 429
            return values
        values["message"] = _("Wrong user name or password.")
        request.response.status = 401
        return values
    throttle.succeeded(keys[0])
    if not twostep.needs_two_step(request, user):
        return _finish(request, user, came_from)
    response = HTTPSeeOther(location=request.resource_url(
        context, "@@login-code" if user.two_step_enrolled else "@@two-step-setup",
        query={"came_from": came_from}))
    twostep.set_pending(request, response, user.login, raising=True)
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
        return _finish(request, user, came_from, two_step=True)
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
    recovery codes.

    After the password step only someone who never enrolled may enrol: otherwise the password
    alone would replace the owner's secret (S1). A signed-in user who has a secret replaces it
    only by also giving the current code or a recovery code, and that is audited.
    """
    came_from = request.params.get("came_from", "")
    pending, user = _pending_user(context, request)
    if user is not None and user.two_step_enrolled:
        pending, user = None, None
    if user is None:
        user = request.identity
    if user is None:
        view = "@@login-code" if twostep.get_pending(request) else "@@login"
        return HTTPSeeOther(location=request.resource_url(context, view,
                                                          query={"came_from": came_from}))
    replacing = user.two_step_enrolled
    secret = (pending or {}).get("s") or request.POST.get("secret") or twostep.new_secret(request)
    issuer = context.settings.get("short_title") or context.title
    values = {"message": None, "came_from": came_from, "secret": secret, "codes": None,
              "replacing": replacing,
              "qr": twostep.qr_data_uri(twostep.provisioning_uri(secret, user.login, issuer))}
    if request.method == "POST":
        values["message"] = _enrol(context, request, user, secret, values)
        if values["codes"]:
            _after_enrolment(request, user, pending)
            return values
        if request.response.status_int != 429:
            request.response.status = 400
    if pending and pending.get("s") != secret:
        twostep.set_pending(request, request.response, user.login, secret, pending.get("r"))
    return values


def _enrol(context, request, user, secret, values):
    """Check the posted codes and store the new secret and recovery codes in ``values``;
    returns the message when refused. The new code is checked first, so that a mistyped one
    spends no recovery code."""
    now = request.registry.portal_clock.now()
    step = twostep.matching_step(secret, request.POST.get("code", ""), now)
    if step is None:
        return _("The code is not right. Check the time on your phone and try again.")
    if values["replacing"]:
        proof, message = _prove_current(context, request, user, now)
        if message:
            return message
    user.totp_secret = secret
    user.totp_last_step = step
    values["codes"] = twostep.new_recovery_codes(request)
    user.set_recovery_codes(values["codes"])
    if values["replacing"]:
        audit(request, "twostep-reenrolled", target=user.login, details=proof)
    else:
        audit(request, "twostep-enrolled", target=user.login, actor=user.login)
    return None


def _prove_current(context, request, user, now):
    """(how, None) when the posted current code or recovery code is right, else (None, the
    message); failures count towards the account's throttle like the sign-in's."""
    key = account_key(user.login)
    wait = context.throttle.wait(key, now)
    if wait:
        request.response.status = 429
        return None, _wait_message(request, wait)
    proof = twostep.check_second_factor(user, request.POST.get("current", ""), now)
    if proof in ("totp", "recovery"):
        context.throttle.succeeded(key)
        return proof, None
    if context.throttle.failed(key, now):
        audit(request, "lockout", target=user.login)
    audit(request, "login-failed", target=user.login,
          details=f"replacing the second step: {proof or 'wrong'}")
    if proof == "replay":
        return None, _("This code has already been used. Wait for the next one.")
    return None, _("The current code is not right: give the code of the app you use now, "
                   "or a recovery code.")


def _after_enrolment(request, user, pending):
    """Sign in (after the password step) or raise the session: the codes just given are a
    second step (S2)."""
    if pending:
        _sign_in(request, request.response, user, two_step=True)
    elif not current_session(request)[1]:
        issued = current_session(request)[0]
        request.response.headerlist.extend(
            remember(request, user.login, two_step=True, issued=issued))
        new_csrf_token(request)


@forbidden_view_config(second_step=True)
def second_step_first(exc, request):
    """A page refused only because the session has not passed the second step: go through
    it (or enrol) first, then come back (S2)."""
    user = request.identity
    view = "@@login-code" if user.two_step_enrolled else "@@two-step-setup"
    response = HTTPSeeOther(location=sign_in_url(request, view))
    response.cache_control = "no-store"
    twostep.set_pending(request, response, user.login, raising=True)
    return response


@view_config(context=Site, name="logout", permission=VIEW, renderer="portal:templates/logout.pt")
def logout(context, request):
    """Sign out (a POST with the CSRF token; GET shows the buttons): this session ends on the
    server, not only in this browser, so a copy of its cookie no longer works. With
    ``everywhere``, every session of the person ends, on every device."""
    if request.method != "POST":
        return {}
    user = request.identity
    response = HTTPSeeOther(location=request.application_url + "/")
    if user is not None:
        if request.POST.get("everywhere"):
            user.end_sessions(request.registry.portal_clock.now())
            audit(request, "logout", target=user.login, actor=user.login, details="everywhere")
        else:
            end_current_session(request)
            audit(request, "logout", target=user.login, actor=user.login)
    response.headerlist.extend(forget(request))
    new_csrf_token(request)
    return response
