"""A forgotten password: a link by e-mail, valid once and for a limited time (issue 5).

``@@forgot-password`` takes a user name or an e-mail address and always answers the same
neutral page, so nobody learns which accounts exist. An active user with an address gets a
message, in their own language, holding a link with a random token; only the token's SHA-256
and its expiry are stored on the user. ``@@reset-password?token=`` sets the new password,
spends the token and ends the person's other sessions. Nothing is written on GET.

Both answers also take the same time: a name that matches no account (or one whose messages
are throttled) costs the same work as a real one, a token hashed and a message rendered and
written to the queue, whose file is then discarded instead of sent (bench/forgot_password).
"""
import logging
from datetime import timedelta

import transaction
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..content.types import Site
from ..i18n import _
from ..mail import localizer_for, public_url, send_mail, translate
from ..security.audit import audit
from ..security.principals import User
from ..security.roles import VIEW
from ..security.throttle import account_key, address_key
from .login import _wait_message
from .users import MAX_TEXT, new_password_problems, normalise_login

log = logging.getLogger(__name__)


def _lifetime(request):
    return int(request.registry.settings["portal.reset_link_lifetime"])


def _matching_users(site, name):
    """Active users with an e-mail address whose login or address is ``name``."""
    if "@" in name:
        users = site.users.with_email(name)
    else:
        user = site.users.get(normalise_login(name))
        users = [user] if user is not None else []
    return [user for user in users if user.active and user.email]


class _Stranger:
    """Whom a name matching no account (or a throttled one) is written to: nobody, in the
    site's language, with the hashing of a real account's token."""

    email = "nobody@invalid"
    start_password_reset = User.start_password_reset

    def __init__(self, request, name):
        self.login = self.fullname = name
        self.language = request.registry.settings.get("pyramid.default_locale_name", "vi")


class _Discarded:
    """Stands for the request in ``send_mail``: a transaction of its own, aborted at once, so
    the message is written to the queue and removed instead of sent."""

    def __init__(self, registry):
        self.registry = registry
        self.tm = transaction.TransactionManager()


def _send_link(request, site, user, now):
    """Mail ``user`` a new reset link; a ``_Stranger`` costs the same work and gets nothing."""
    token = request.registry.portal_random.token(32)
    user.start_password_reset(token, now + timedelta(seconds=_lifetime(request)))
    link = public_url(request, "@@reset-password", query={"token": token})
    registry, lang = request.registry, user.language
    mapping = {"name": user.fullname, "login": user.login, "site": site.title,
               "minutes": _lifetime(request) // 60}
    subject = translate(registry, lang, _("A new password for ${site}", mapping=mapping))
    body = "\n\n".join([
        translate(registry, lang, _("Hello ${name},", mapping=mapping)),
        translate(registry, lang, _(
            "Someone, probably you, asked to set a new password for the user name ${login} "
            "on ${site}. To choose a new password, open this link within ${minutes} minutes:",
            mapping=mapping)),
        link,
        translate(registry, lang, _(
            "The link works once. If you did not ask for a new password, ignore this message: "
            "your password stays as it is.")),
    ]) + "\n"
    stranger = isinstance(user, _Stranger)
    sender = _Discarded(registry) if stranger else request
    send_mail(sender, [user.email], subject, body, lang=localizer_for(registry, lang).locale_name)
    if stranger:
        sender.tm.abort()
        log.info("password reset asked: no message sent")
    else:
        log.info("password reset link sent to the user %s", user.login)


@view_config(context=Site, name="forgot-password", permission=VIEW,
             renderer="portal:templates/forgot_password.pt")
def forgot_password(context, request):
    """Ask for a link: the answer is the same whether or not an account matches."""
    request.response.cache_control = "no-store"
    values = {"message": None, "name": "", "sent": request.GET.get("done") == "sent",
              "minutes": _lifetime(request) // 60}
    if request.method != "POST":
        return values
    name = " ".join(request.POST.get("name", "").split())[:MAX_TEXT]
    values["name"] = name
    if not name:
        values["message"] = _("Give your user name or your e-mail address.")
        request.response.status = 400
        return values
    now = request.registry.portal_clock.now()
    throttle = context.throttle
    # Per address (with the allowance of an office behind one address), said openly: it
    # tells nothing about accounts. Per account, silently: nobody can flood someone's mailbox.
    address = address_key(f"reset/{request.client_addr}")
    wait = throttle.wait(address, now)
    if wait:
        values["message"] = _wait_message(request, wait)
        request.response.status = 429
        return values
    throttle.failed(address, now)
    # An unknown name is counted like an account, so that its answers change in step with a
    # real account's (throttled after three) and cost the same.
    for user in _matching_users(context, name) or [None]:
        account = account_key(f"reset/{user.login if user else name}")
        if throttle.wait(account, now):
            if user is not None:
                log.warning("password reset for %s refused: too many requests", user.login)
            user = None
        else:
            throttle.failed(account, now)
        _send_link(request, context, user or _Stranger(request, name), now)
    return HTTPSeeOther(location=request.resource_url(context, "@@forgot-password",
                                                      query={"done": "sent"}))


@view_config(context=Site, name="reset-password", permission=VIEW,
             renderer="portal:templates/reset_password.pt")
def reset_password(context, request):
    """The link of the message: a new password typed twice, once."""
    request.response.cache_control = "no-store"
    token = request.params.get("token", "")[:200]
    now = request.registry.portal_clock.now()
    user = context.users.with_reset_token(token, now) if token else None
    values = {"valid": user is not None and user.active, "token": token, "errors": {},
              "forgot_url": request.resource_url(context, "@@forgot-password")}
    if not values["valid"]:
        request.response.status = 410
        return values
    if request.method != "POST":
        return values
    password = request.POST.get("password", "")
    problems, mismatch = new_password_problems(
        password, request.POST.get("password_confirm", ""), user.login)
    if problems or mismatch:
        translate_ = request.localizer.translate
        values["errors"] = {"password": [translate_(problem) for problem in problems],
                            "password_confirm": [translate_(mismatch)] if mismatch else []}
        request.response.status = 400
        return values
    user.set_password(password)
    user.clear_password_reset()
    user.end_sessions(now)                        # every older session ends
    context.throttle.succeeded(account_key(user.login))
    audit(request, "password-reset-email", target=user.login, actor=user.login)
    return HTTPSeeOther(location=request.resource_url(context, "@@login",
                                                      query={"done": "password-reset"}))
