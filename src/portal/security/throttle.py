"""Repeated failed sign-ins slow down, then lock, per account; per client address they only
slow down, and are forgotten with time.

Accounts: after ``FREE_ATTEMPTS`` failures each new attempt must wait a delay that doubles
(capped at ``MAX_DELAY``); after ``LOCK_AFTER`` failures the account is locked for
``LOCK_SECONDS``. A success clears the account's record.

Addresses: a whole office may sign in from one NAT address, so an address never locks and its
count leaks away, one failure every ``ADDRESS_LEAK_SECONDS``, holding at most
``ADDRESS_MAX_FAILURES`` (a leaky bucket). Beyond ``ADDRESS_FREE_ATTEMPTS`` its ``wait`` is the
doubling delay; the sign-in view applies it to wrong passwords only, so the people behind a
guessed-at address still sign in with their right password.

Each key is its own BTree entry ``(failures, time of the last failure)``: sign-ins of
different people change different entries, so their transactions do not conflict. Times come
from the injected clock; nothing sleeps.
"""
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from persistent import Persistent

FREE_ATTEMPTS = 3
MAX_DELAY = 60
LOCK_AFTER = 10
LOCK_SECONDS = 15 * 60
# An office's typing mistakes (a few hundred people) stay under the allowance; a guesser who
# keeps going stays slowed, and after a pause of an hour at most the address is free again.
ADDRESS_FREE_ATTEMPTS = 30
ADDRESS_MAX_FAILURES = 60
ADDRESS_LEAK_SECONDS = 60


def _is_address(key):
    return key.startswith("address:")


def _address_failures(record, now):
    """The failures an address record still holds at ``now``. Records written before counts
    leaked away have the same form and read the same way."""
    failures, last = record
    elapsed = max(0.0, (now - last).total_seconds())
    return max(0.0, min(failures, ADDRESS_MAX_FAILURES) - elapsed / ADDRESS_LEAK_SECONDS)


def _remaining(last, seconds, now):
    remaining = (last + timedelta(seconds=seconds) - now).total_seconds()
    return max(0, int(remaining + 0.999))


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
        if _is_address(key):
            failures, free = int(_address_failures(record, now)), ADDRESS_FREE_ATTEMPTS
        elif failures >= LOCK_AFTER:
            return _remaining(last, LOCK_SECONDS, now)
        else:
            free = FREE_ATTEMPTS
        if failures < free:
            return 0
        return _remaining(last, min(MAX_DELAY, 2 ** (failures - free)), now)

    def failed(self, key, now):
        """Count a failure for ``key``; returns True when it has just become locked (an
        address never does)."""
        record = self._records.get(key)
        if _is_address(key):
            failures = _address_failures(record, now) if record else 0.0
            self._records[key] = (min(ADDRESS_MAX_FAILURES, failures + 1), now)
            return False
        failures, last = record or (0, now)
        if failures >= LOCK_AFTER and (now - last).total_seconds() >= LOCK_SECONDS:
            failures = 0  # the lock has run out: start afresh
        failures += 1
        self._records[key] = (failures, now)
        return failures == LOCK_AFTER

    def succeeded(self, key):
        """Forget the failures of ``key``."""
        self._records.pop(key, None)

    def is_locked(self, key, now):
        """True while ``key`` (an account; an address never locks) is in its lock period."""
        record = self._records.get(key)
        return bool(record and not _is_address(key) and record[0] >= LOCK_AFTER
                    and self.wait(key, now) > 0)


def account_key(login):
    """The throttle key of the account ``login``."""
    return f"account:{login.strip().lower()}"


def address_key(address):
    """The throttle key of the client address ``address``."""
    return f"address:{address or 'unknown'}"
