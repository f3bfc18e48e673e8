"""Users stored in the database, with argon2 password hashes."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from BTrees.OOBTree import OOBTree
from persistent import Persistent

_hasher = PasswordHasher()


class User(Persistent):
    """A person who can sign in."""

    email = ""
    active = True

    def __init__(self, login, fullname="", email="", roles=()):
        self.login = login
        self.fullname = fullname or login
        self.email = email
        self.roles = tuple(roles)
        self.password_hash = None

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


class Users(Persistent):
    """All users, by login name."""

    def __init__(self):
        self._users = OOBTree()

    def __contains__(self, login):
        return login in self._users

    def get(self, login):
        """The user ``login`` or None."""
        return self._users.get(login)

    def add(self, user):
        """Store ``user``; its login must be new."""
        if user.login in self._users:
            raise KeyError(user.login)
        self._users[user.login] = user
        return user

    def __iter__(self):
        return iter(self._users.values())
