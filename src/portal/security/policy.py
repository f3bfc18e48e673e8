"""The Pyramid security policy: who is signed in, and which roles they hold where.

Identity comes from a signed auth-ticket cookie (HttpOnly, SameSite=Lax, host-only; Secure and
named ``__Host-portal_auth`` in production) whose idle timeout is renewed by reissuing it,
whose absolute lifetime is checked from the issue time it carries, and which the server can
void: one session at its sign-out (its nonce is recorded on the user until it would have
expired anyway), all of a user's sessions, or all but the current one (``User.end_sessions``).
Checking a session only reads the user, which every signed-in request loads anyway.
Permissions: the roles a user holds at a context (global roles, group roles, local roles along
the lineage) meet the roles the permission map grants (security/roles.py). An item that is not
active (publication date to come, or expiry date passed) cannot be viewed by Anonymous and
Authenticated; the roles that work on content still can (``inactive_view``).

The ticket also says whether its sign-in passed the second step (S2). A session that did not
acts without the roles that need two steps, so that a role given to someone signed in with a
password alone waits for the second step; a refusal that such a role would have allowed is a
``SecondStepDenied``, which the sign-in views turn into a detour through the second step.
"""
import re
from datetime import UTC, datetime, timedelta

from pyramid.authentication import AuthTicket, AuthTktCookieHelper
from pyramid.security import Allowed, Denied

from ..content.schedule import is_active, registry_now
from ..root import root_factory
from .cookies import cookie_name, secure_cookies
from .localroles import roles_in_context
from .login import roles_needing_two_step
from .principals import global_roles, principals_of
from .roles import ANONYMOUS, AUTHENTICATED, DEFAULT_PERMISSION_MAP, VIEW

COOKIE = "portal_auth"
# Who sees an item that is not active yet or any more, when its map lets everyone view it
# (Plone's "Access inactive portal content").
INACTIVE_VIEWERS = ("Owner", "Editor", "Reviewer", "Publisher", "Manager")
PUBLIC_ROLES = frozenset({ANONYMOUS, AUTHENTICATED})
# The ticket's one token: issue time, "t1" once the second step is passed, a random nonce
# (which names the session: sign-out revokes it, the CSRF token is derived from it).
TOKEN = re.compile(r"^i(\d+)(t1)?n([A-Za-z0-9]+)$")


class SecondStepDenied(Denied):
    """A refusal that the roles held once the second step is passed would have allowed."""


class ClockedCookie(AuthTktCookieHelper):
    """Pyramid's auth-ticket cookie, reading the injected clock instead of the system's."""

    def __init__(self, registry, **kw):
        super().__init__(**kw)
        self.registry = registry

    @property
    def now(self):
        return self.registry.portal_clock.now().timestamp()

    def AuthTicket(self, *args, **kw):
        kw.setdefault("time", self.now)
        return AuthTicket(*args, **kw)


class PortalSecurityPolicy:
    """Identity from the cookie; permissions from roles."""

    def __init__(self, registry, secret, idle_timeout, absolute_timeout, secure_only=False,
                 name=COOKIE):
        self.registry = registry
        self.absolute_timeout = absolute_timeout
        # Host-only (no Domain): Pyramid would otherwise name the request's host as the
        # cookie's domain, which sends it to every subdomain as well.
        self.cookie = ClockedCookie(
            registry, secret=secret, cookie_name=name, secure=secure_only, http_only=True,
            samesite="Lax", timeout=idle_timeout, reissue_time=max(1, idle_timeout // 10),
            hashalg="sha512", wild_domain=False)

    # who ------------------------------------------------------------------------------
    # What is learnt about the visitor is kept on the request object, not in the environ:
    # pyramid_retry runs a conflicting request again with the same environ but a new request
    # and a new connection, where the objects loaded by the first attempt must not be reused.
    def identity(self, request):
        """The signed-in active User, or None (cached for the request)."""
        if "portal_identity" not in request.__dict__:
            request.portal_identity, request.portal_session = self._identify(request)
        return request.portal_identity

    def _ticket(self, request):
        """(issue time, second step passed, nonce, login) of the ticket the request carries
        when its signature is right and it has outlived neither timeout; else None. Reads no
        database."""
        ticket = self.cookie.identify(request)
        if not ticket:
            return None
        issued, two_step, nonce = _read_tokens(ticket.get("tokens", ()))
        now = self.registry.portal_clock.now()
        if issued is None or (now - issued).total_seconds() > self.absolute_timeout:
            return None
        return issued, two_step, nonce, ticket["userid"]

    def _identify(self, request):
        """(the user, (issue time, second step passed, nonce)) or (None, None)."""
        ticket = self._ticket(request)
        if ticket is None:
            return None, None
        issued, two_step, nonce, login = ticket
        user = site_of(request).users.get(login)
        if user is None or not user.active or not user.session_valid(issued, nonce):
            return None, None
        return user, (issued, two_step, nonce)

    def session(self, request):
        """(issue time, second step passed) of the current session, or (None, False)."""
        if self.identity(request) is None:
            return None, False
        return request.portal_session[:2]

    def session_nonce(self, request):
        """The nonce naming the browser's session for the CSRF token: that of the session
        begun during this request, None once it was ended during this request, else that of
        the ticket sent (signature and timeouts checked, not the database, so that it is
        known while the database is unreachable)."""
        if "portal_fresh_nonce" in request.__dict__:
            return request.portal_fresh_nonce
        ticket = self._ticket(request)
        return ticket[2] if ticket else None

    def end_session(self, request):
        """Void the current session on the server (sign-out): its nonce is refused until the
        absolute timeout would have ended it anyway. Writes the user; nothing when nobody is
        signed in."""
        user = self.identity(request)
        if user is None:
            return
        issued, _two_step, nonce = request.portal_session
        until = issued + timedelta(seconds=self.absolute_timeout)
        user.revoke_session(nonce, until, self.registry.portal_clock.now())

    def authenticated_userid(self, request):
        user = self.identity(request)
        return user.login if user is not None else None

    def remember(self, request, userid, two_step=False, issued=None, **kw):
        """Headers setting a fresh ticket: a new value, so the session id changes at sign-in
        and when the second step raises a session. ``two_step`` records that the second step
        was passed; ``issued`` keeps the issue time of the session being raised, so that the
        absolute timeout still counts from the password."""
        issued = issued or self.registry.portal_clock.now()
        nonce = "".join(ch for ch in self.registry.portal_random.token(12) if ch.isalnum())
        # One token (a comma between tokens is not a valid cookie byte).
        tokens = (f"i{int(issued.timestamp())}{'t1' if two_step else ''}n{nonce}",)
        self._forget_visitor(request)
        request.portal_fresh_nonce = nonce
        return self.cookie.remember(request, userid, tokens=tokens)

    def forget(self, request, **kw):
        """Headers removing the session cookie (see ``end_session`` to void it as well)."""
        self._forget_visitor(request)
        request.portal_fresh_nonce = None
        return self.cookie.forget(request)

    @staticmethod
    def _forget_visitor(request):
        for name in ("portal_identity", "portal_session", "portal_roles"):
            request.__dict__.pop(name, None)

    # what -----------------------------------------------------------------------------
    def roles(self, request, context):
        """The roles the current visitor may use at ``context``: without those that need two
        steps when the session did not pass the second step (cached per request)."""
        return self._cached_roles(request, context)[1]

    def _cached_roles(self, request, context):
        """(all roles held, roles usable in this session) at ``context``."""
        cache = request.__dict__.setdefault("portal_roles", {})
        key = id(context)
        if key not in cache:
            held = self._roles(request, context)
            usable = held
            if held - PUBLIC_ROLES and not self.session(request)[1]:
                usable = held - roles_needing_two_step(self.registry, site_of(request))
            cache[key] = (held, usable)
        return cache[key]

    def _roles(self, request, context):
        user = self.identity(request)
        roles = {"Anonymous"}
        if user is None:
            return frozenset(roles)
        groups = site_of(request).groups
        roles.add(AUTHENTICATED)
        roles.update(global_roles(user, groups))
        roles.update(roles_in_context(context, principals_of(user, groups)))
        if getattr(context, "creator", None) == user.login:
            roles.add("Owner")
        return frozenset(roles)

    def permits(self, request, context, permission):
        allowed = effective_map(context, site_of(request)).get(permission, ())
        if permission == VIEW and not is_active(context, self.registry.portal_clock.now()):
            allowed = inactive_view(allowed)
        everything, held = self._cached_roles(request, context)
        if held.intersection(allowed):
            return Allowed(f"{permission}: roles {sorted(held)}")
        refusal = SecondStepDenied if everything.intersection(allowed) else Denied
        return refusal(f"{permission}: needs one of {list(allowed)}, has {sorted(held)}")


def permission_map(site):
    """permission → roles, as the site's settings say (defaults from security/roles.py)."""
    return getattr(site, "permission_map", None) or DEFAULT_PERMISSION_MAP


def effective_map(obj, site):
    """The permission map that applies to ``obj``.

    As in DCWorkflow, an object may carry its own map (``_permission_map``; the workflow sets
    it from the object's state), which replaces the site's for that object alone.
    """
    own = getattr(obj, "_permission_map", None)
    return own if own is not None else permission_map(site)


def inactive_view(allowed):
    """The roles that may view an inactive item whose map grants view to ``allowed``."""
    if PUBLIC_ROLES.isdisjoint(allowed):
        return allowed
    return tuple(role for role in allowed if role not in PUBLIC_ROLES) + tuple(
        role for role in INACTIVE_VIEWERS if role not in allowed)


def public_by_state(obj, site):
    """True when ``obj``'s state lets anonymous visitors view it, whatever its dates: what a
    change of it may change on the public pages (a draft or a working copy never does)."""
    return ANONYMOUS in effective_map(obj, site).get(VIEW, ())


def anonymous_may_view(obj, site, now=None):
    """True when anonymous visitors may view ``obj`` at ``now`` (what menus and caches may
    show): its map lets Anonymous view it and it is active. ``now`` defaults to the current
    registry's clock; without one, only the map counts."""
    if ANONYMOUS not in effective_map(obj, site).get(VIEW, ()):
        return False
    if now is None:
        now = registry_now()
    return now is None or is_active(obj, now)


def site_of(request):
    """The site, also before traversal has set ``request.root`` (pyramid_tm asks early)."""
    root = getattr(request, "root", None)
    return root if root is not None else root_factory(request)


def _read_tokens(tokens):
    """(issue time or None, second step passed, nonce) from the ticket's tokens."""
    for token in tokens:
        found = TOKEN.match(token)
        if found:
            return datetime.fromtimestamp(int(found[1]), UTC), bool(found[2]), found[3]
    return None, False, None


def includeme(config):
    settings = config.get_settings()
    secret = settings.get("portal.secret")
    if not secret:
        raise ValueError("set portal.secret in the ini file (a long random string)")
    config.set_security_policy(PortalSecurityPolicy(
        config.registry, secret,
        idle_timeout=int(settings.get("portal.session_idle_timeout", 1800)),
        absolute_timeout=int(settings.get("portal.session_absolute_timeout", 43200)),
        secure_only=secure_cookies(settings), name=cookie_name(COOKIE, settings)))
    config.add_view_predicate("second_step", SecondStepPredicate)


def _policy(request):
    from pyramid.interfaces import ISecurityPolicy
    return request.registry.getUtility(ISecurityPolicy)


def held_roles(request, context):
    """The roles the current visitor may use at ``context`` (S2: in a session without the
    second step, not those that need it)."""
    return _policy(request).roles(request, context)


def current_session(request):
    """(issue time, second step passed) of the visitor's session; (None, False) if none."""
    return _policy(request).session(request)


def current_session_nonce(request):
    """The nonce of the visitor's signed-in session (None when not signed in)."""
    policy = _policy(request)
    return request.portal_session[2] if policy.identity(request) is not None else None


def session_nonce(request):
    """The nonce of the browser's session as the CSRF token sees it (``session_nonce``)."""
    return _policy(request).session_nonce(request)


def end_current_session(request):
    """Void the visitor's session on the server (sign-out)."""
    _policy(request).end_session(request)


class SecondStepPredicate:
    """View predicate ``second_step=True``: the refusal (the context of a forbidden view) is
    one that passing the second step would lift."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return f"second_step = {self.value}"

    phash = text

    def __call__(self, context, request):
        return isinstance(getattr(context, "result", None), SecondStepDenied) == self.value
