"""Users and groups stored in the database; passwords hashed with argon2.

Principal ids are prefixed so users and groups never clash: ``user:<login>``, ``group:<name>``.
Agencies are groups; granting a group a local role on a folder gives the agency its subtree.
"""
import hashlib
import hmac
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("portal")
_hasher = PasswordHasher()

USER_PREFIX = "user:"
GROUP_PREFIX = "group:"
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10


def password_problems(password, login=""):
    """Why ``password`` is refused (translatable messages); empty when it is acceptable."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least ${count} characters.",
                          mapping={"count": MIN_PASSWORD_LENGTH}))
    if not (re.search(r"[^\W\d_]", password) and re.search(r"\d", password)):
        problems.append(_("Use both letters and digits."))
    if login and login.lower() in password.lower():
        problems.append(_("Do not put your user name in the password."))
    if len(set(password)) < 4:
        problems.append(_("Use more different characters."))
    return problems


def hash_code(code):
    """Hash of a one-time recovery code (high-entropy, so a plain SHA-256 suffices)."""
    normalised = code.replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


class User(Persistent):
    """A person who can sign in."""

    email = ""
    active = True
    groups = ()
    totp_secret = None
    totp_last_step = 0
    recovery_hashes = frozenset()
    # Sessions issued before this moment are void (sign-out everywhere, deactivation, a new
    # password), but for the one named ``session_kept`` (from which a Manager ended their
    # own other sessions).
    sessions_valid_after = None
    session_kept = None
    # Sessions signed out one by one: (nonce, until when it needs refusing) pairs, until the
    # absolute timeout would have ended them anyway; a tuple, replaced whole (few entries).
    revoked_sessions = ()
    # The language of the messages the portal sends them.
    language = "vi"
    # A password reset by e-mail: the SHA-256 of the link's token and when it expires.
    reset_token_hash = None
    reset_expires = None

    def __init__(self, login, fullname="", email="", roles=(), groups=()):
        self.login = login
        self.fullname = fullname or login
        self.email = email
        self.roles = tuple(roles)
        self.groups = tuple(groups)
        self.password_hash = None

    @property
    def principal(self):
        return USER_PREFIX + self.login

    @property
    def two_step_enrolled(self):
        return self.totp_secret is not None

    def set_password(self, password):
        """Store an argon2 hash of ``password``."""
        self.password_hash = _hasher.hash(password)

    def check_password(self, password):
        """True when ``password`` matches the stored hash."""
        if not self.password_hash:
            return False
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def start_password_reset(self, token, expires):
        """Remember (a hash of) the e-mailed ``token``, valid until ``expires``."""
        self.reset_token_hash = hashlib.sha256(token.encode()).hexdigest()
        self.reset_expires = expires

    def password_reset_valid(self, token, now):
        """True when ``token`` is this user's unused, unexpired reset token."""
        if not self.reset_token_hash or self.reset_expires is None or now >= self.reset_expires:
            return False
        digest = hashlib.sha256(token.encode()).hexdigest()
        return hmac.compare_digest(digest, self.reset_token_hash)

    def clear_password_reset(self):
        """Spend the reset token (a link works once)."""
        self.reset_token_hash = None
        self.reset_expires = None

    def session_valid(self, issued, nonce):
        """False when the session ``nonce`` signed in at ``issued`` was ended on the server."""
        if self.sessions_valid_after is not None and issued <= self.sessions_valid_after \
                and (nonce is None or nonce != self.session_kept):
            return False
        return all(nonce != revoked for revoked, _until in self.revoked_sessions)

    def revoke_session(self, nonce, until, now):
        """End the session ``nonce`` (sign-out), remembered until ``until``; entries whose time
        has passed are dropped here, the only place that adds any."""
        kept = tuple(entry for entry in self.revoked_sessions if entry[1] > now)
        self.revoked_sessions = kept + ((nonce, until),)

    def end_sessions(self, now, keep=None):
        """End every session begun until ``now`` but the one whose nonce is ``keep``."""
        self.sessions_valid_after = now
        self.session_kept = keep
        # Older than ``now``, every revoked session is covered by the line above.
        self.revoked_sessions = ()

    def set_recovery_codes(self, codes):
        """Keep only hashes of the one-time ``codes``."""
        self.recovery_hashes = frozenset(hash_code(code) for code in codes)

    def use_recovery_code(self, code):
        """Spend ``code`` if it is one of the unused recovery codes."""
        digest = hash_code(code)
        if digest not in self.recovery_hashes:
            return False
        self.recovery_hashes = self.recovery_hashes - {digest}
        return True

    def reset_two_step(self):
        """Forget the second factor; the user enrols again at the next sign-in."""
        self.totp_secret = None
        self.totp_last_step = 0
        self.recovery_hashes = frozenset()


class Group(Persistent):
    """A set of users; agencies, the editorial board and the secretariat are groups."""

    description = ""

    def __init__(self, name, title, description="", roles=()):
        self.name = name
        self.title = title
        self.description = description
        self.roles = tuple(roles)

    @property
    def principal(self):
        return GROUP_PREFIX + self.name


class _Directory(Persistent):
    def __init__(self):
        self._items = OOBTree()

    def __contains__(self, name):
        return name in self._items

    def get(self, name):
        """The entry ``name`` or None."""
        return self._items.get(name)

    def __iter__(self):
        return iter(self._items.values())

    def __len__(self):
        return len(self._items)


class Users(_Directory):
    """All users, by login name."""

    def add(self, user):
        """Store ``user``; its login must be new and well formed."""
        if not LOGIN_PATTERN.match(user.login):
            raise ValueError(f"bad login: {user.login!r}")
        if user.login in self._items:
            raise KeyError(user.login)
        self._items[user.login] = user
        return user

    def with_email(self, email):
        """Users whose e-mail address is ``email`` (ignoring case)."""
        wanted = email.strip().casefold()
        return [user for user in self if wanted and user.email.casefold() == wanted]

    def with_reset_token(self, token, now):
        """The user whose unexpired password-reset token is ``token``, or None."""
        return next((user for user in self if user.reset_token_hash is not None
                     and user.password_reset_valid(token, now)), None)

    def members_of(self, group_name):
        """Users belonging to the group ``group_name``."""
        return [user for user in self if group_name in user.groups]


class Groups(_Directory):
    """All groups, by name."""

    def add(self, group):
        """Store ``group``; its name must be new and well formed."""
        if not LOGIN_PATTERN.match(group.name):
            raise ValueError(f"bad group name: {group.name!r}")
        if group.name in self._items:
            raise KeyError(group.name)
        self._items[group.name] = group
        return group


def principals_of(user, groups):
    """The principal ids ``user`` acts as: itself and its groups."""
    return (user.principal,) + tuple(GROUP_PREFIX + name for name in user.groups
                                     if groups.get(name) is not None)


def global_roles(user, groups):
    """Roles given to ``user`` everywhere, directly or through its groups."""
    roles = set(user.roles)
    for name in user.groups:
        group = groups.get(name)
        if group is not None:
            roles.update(group.roles)
    return roles
