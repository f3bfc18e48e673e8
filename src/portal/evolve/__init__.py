"""Numbered evolve steps: the data changes an existing database needs, each applied once.

A step is a module ``stepNNN_what.py`` in this package holding ``evolve(site, registry)`` and a
docstring saying what it changes and why. ``site.evolve_version`` is the number of the last
step applied; a new site starts at the newest (``ensure_site``), so only databases made by an
older release run steps. Steps run at start-up (``portal.startup.bootstrap``), in order, each
in its own transaction: a step that fails leaves the version at the one
before it and stops the start with its message.
"""
import importlib
import pkgutil
import re

_STEP = re.compile(r"^step(\d{3})_\w+$")


def steps():
    """``[(number, module)]`` of every evolve step, in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _STEP.match(info.name)
        if match:
            found.append((int(match.group(1)), importlib.import_module(f"{__name__}.{info.name}")))
    found.sort(key=lambda pair: pair[0])
    numbers = [number for number, _module in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two evolve steps share a number: {numbers}")
    return found


def newest():
    """The number of the newest step (0 when there is none)."""
    found = steps()
    return found[-1][0] if found else 0


def version_of(site):
    """The number of the last step applied to ``site``."""
    return getattr(site, "evolve_version", 0)


def pending(site):
    """The steps ``site`` has not had yet, in order."""
    current = version_of(site)
    return [(number, module) for number, module in steps() if number > current]


def evolve(conn, registry, root_key="portal", progress=None):
    """Apply the pending steps to the site of ``conn``, one transaction each; return the
    numbers applied. ``progress(number, summary)`` is told before each step.

    Processes sharing a database (ZEO, RelStorage) may start together: a step that conflicts
    with another process's run of it is tried again and found done.
    """
    applied = []
    for number, module in steps():
        for attempt in conn.transaction_manager.attempts(5):
            with attempt as txn:
                site = conn.root()[root_key]
                done = version_of(site) >= number
                if not done:
                    summary = (module.__doc__ or module.__name__).strip().splitlines()[0]
                    if progress is not None:
                        progress(number, summary)
                    txn.note(f"evolve step {number}: {summary}")
                    module.evolve(site, registry)
                    site.evolve_version = number
        if not done:
            applied.append(number)
    return applied
