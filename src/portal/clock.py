"""The one clock and the one source of randomness, registered as utilities so tests set them."""
import random
import secrets
from datetime import UTC, datetime


class SystemClock:
    """Wall-clock time, always timezone-aware UTC."""

    def now(self):
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: stays where it is put, moves when told."""

    def __init__(self, when):
        self.when = when

    def now(self):
        return self.when

    def advance(self, delta):
        self.when = self.when + delta


class SystemRandom:
    """Secrets-grade randomness."""

    def token(self, nbytes=24):
        """A URL-safe random string."""
        return secrets.token_urlsafe(nbytes)

    def bytes(self, nbytes):
        """``nbytes`` random bytes."""
        return secrets.token_bytes(nbytes)


class SeededRandom:
    """Repeatable randomness for tests."""

    def __init__(self, seed=0):
        self._random = random.Random(seed)

    def token(self, nbytes=24):
        return self._random.randbytes(nbytes).hex()

    def bytes(self, nbytes):
        return self._random.randbytes(nbytes)


def get_clock(registry):
    """The registered clock."""
    return registry.portal_clock


def get_random(registry):
    """The registered source of randomness."""
    return registry.portal_random


def includeme(config):
    config.registry.portal_clock = SystemClock()
    config.registry.portal_random = SystemRandom()
