"""The Pyramid security policy: who is signed in, and which roles they hold where.

Identity comes from a signed auth-ticket cookie (HttpOnly, SameSite=Lax, Secure over https)
whose idle timeout is renewed by reissuing it, whose absolute lifetime is checked from the
issue time it carries, and which is void once the user signs out everywhere or is deactivated.
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
from datetime import UTC, datetime

from pyramid.authentication import AuthTicket, AuthTktCookieHelper
from pyramid.security import Allowed, Denied
from pyramid.settings import asbool

from ..content.schedule import is_active, registry_now
from ..root import root_factory
from .localroles import roles_in_context
from .login import roles_needing_two_step
from .principals import global_roles, principals_of
from .roles import ANONYMOUS, AUTHENTICATED, DEFAULT_PERMISSION_MAP, VIEW

COOKIE = "portal_auth"
# Who sees an item that is not active yet or any more, when its map lets everyone view it
# (Plone's "Access inactive portal content").
INACTIVE_VIEWERS = ("Owner", "Editor", "Reviewer", "Publisher", "Manager")
PUBLIC_ROLES = frozenset({ANONYMOUS, AUTHENTICATED})
# The ticket's one token: issue time, "t1" once the second step is passed, a random nonce.
TOKEN = re.compile(r"^i(\d+)(t1)?n")


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

    def __init__(self, registry, secret, idle_timeout, absolute_timeout, secure_only=False):
        self.registry = registry
        self.absolute_timeout = absolute_timeout
        self.cookie = ClockedCookie(
            registry, secret=secret, cookie_name=COOKIE, secure=secure_only, http_only=True,
            samesite="Lax", timeout=idle_timeout, reissue_time=max(1, idle_timeout // 10),
            hashalg="sha512")

    # who ------------------------------------------------------------------------------
    def identity(self, request):
        """The signed-in active User, or None (cached for the request)."""
        if "portal.identity" in request.environ:
            return request.environ["portal.identity"]
        user = self._identify(request)
        request.environ["portal.identity"] = user
        return user

    def _identify(self, request):
        ticket = self.cookie.identify(request)
        if not ticket:
            return None
        issued, two_step = _read_tokens(ticket.get("tokens", ()))
        now = self.registry.portal_clock.now()
        if issued is None or (now - issued).total_seconds() > self.absolute_timeout:
            return None
        user = site_of(request).users.get(ticket["userid"])
        if user is None or not user.active:
            return None
        if user.sessions_valid_after is not None and issued <= user.sessions_valid_after:
            return None
        request.environ["portal.session"] = (issued, two_step)
        return user

    def session(self, request):
        """(issue time, second step passed) of the current session, or (None, False)."""
        if self.identity(request) is None:
            return None, False
        return request.environ["portal.session"]

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
        request.environ.pop("portal.identity", None)
        request.environ.pop("portal.roles", None)
        return self.cookie.remember(request, userid, tokens=tokens)

    def forget(self, request, **kw):
        request.environ.pop("portal.identity", None)
        return self.cookie.forget(request)

    # what -----------------------------------------------------------------------------
    def roles(self, request, context):
        """The roles the current visitor may use at ``context``: without those that need two
        steps when the session did not pass the second step (cached per request)."""
        return self._cached_roles(request, context)[1]

    def _cached_roles(self, request, context):
        """(all roles held, roles usable in this session) at ``context``."""
        cache = request.environ.setdefault("portal.roles", {})
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
    """(issue time or None, second step passed) from the ticket's tokens."""
    for token in tokens:
        found = TOKEN.match(token)
        if found:
            return datetime.fromtimestamp(int(found[1]), UTC), bool(found[2])
    return None, False


def includeme(config):
    settings = config.get_settings()
    secret = settings.get("portal.secret")
    if not secret:
        raise ValueError("set portal.secret in the ini file (a long random string)")
    config.set_security_policy(PortalSecurityPolicy(
        config.registry, secret,
        idle_timeout=int(settings.get("portal.session_idle_timeout", 1800)),
        absolute_timeout=int(settings.get("portal.session_absolute_timeout", 43200)),
        secure_only=asbool(settings.get("portal.secure_cookies", False))))
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
