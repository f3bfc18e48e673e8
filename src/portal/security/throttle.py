"""Repeated failed sign-ins slow down, then lock, per account and per client address.

After ``FREE_ATTEMPTS`` failures each new attempt must wait a delay that doubles (capped);
after ``LOCK_AFTER`` failures the key is locked for ``LOCK_SECONDS``. A success clears the
account's record. Times come from the injected clock; nothing sleeps.
"""
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from persistent import Persistent

FREE_ATTEMPTS = 3
MAX_DELAY = 60
LOCK_AFTER = 10
LOCK_SECONDS = 15 * 60
# A whole office may sign in from one address (NAT): addresses get ten times the allowance.
ADDRESS_FACTOR = 10


def _limits(key):
    factor = ADDRESS_FACTOR if key.startswith("address:") else 1
    return FREE_ATTEMPTS * factor, LOCK_AFTER * factor


class Throttle(Persistent):
    """Failure records keyed by ``account:<login>`` and ``address:<ip>``."""

    def __init__(self):
        self._records = OOBTree()

    def wait(self, key, now):
        """Seconds before ``key`` may try again (0 when it may try now)."""
        record = self._records.get(key)
        if record is None:
            return 0
        failures, last = record
        free, lock_after = _limits(key)
        if failures >= lock_after:
            until = last + timedelta(seconds=LOCK_SECONDS)
        elif failures >= free:
            until = last + timedelta(seconds=min(MAX_DELAY, 2 ** (failures - free)))
        else:
            return 0
        remaining = (until - now).total_seconds()
        return max(0, int(remaining + 0.999))

    def failed(self, key, now):
        """Count a failure for ``key``; returns True when it has just become locked."""
        failures, last = self._records.get(key, (0, now))
        lock_after = _limits(key)[1]
        if failures >= lock_after and (now - last).total_seconds() >= LOCK_SECONDS:
            failures = 0  # the lock has run out: start afresh
        failures += 1
        self._records[key] = (failures, now)
        return failures == lock_after

    def succeeded(self, key):
        """Forget the failures of ``key``."""
        self._records.pop(key, None)

    def is_locked(self, key, now):
        """True while ``key`` is in its lock period."""
        record = self._records.get(key)
        return bool(record and record[0] >= _limits(key)[1] and self.wait(key, now) > 0)


def account_key(login):
    return f"account:{login.strip().lower()}"


def address_key(address):
    return f"address:{address or 'unknown'}"
