"""Numbered evolve steps: the data changes an existing database needs, each applied once.

A step is a module ``stepNNN_what.py`` in this package holding ``evolve(site, registry)`` and a
docstring whose first line says what it changes. The database's *generation*, the number of the
last step applied, is kept in the ZODB root beside the site (``portal.generation`` next to
``portal``), not on the site: a step's transaction records it without rewriting the site object
every process has loaded, and another package keeping its own data in the root can keep its
own generation beside it. A new site starts at the newest generation (``ensure_site``), so only
databases made by an older release run steps.

Steps run in order, each in its own transaction, at start-up (``portal.startup.bootstrap``) or
by ``portal evolve`` (``portal init`` runs it): a step that fails leaves the generation at the
one before it and stops with its message.
"""
import importlib
import pkgutil
import re

_STEP = re.compile(r"^step(\d{3})_\w+$")
# Where releases before the root's record kept the generation: on the site.
_OLD_RECORD = "evolve_version"


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


def summary(module):
    """The first line of a step's docstring: what it changes."""
    return (module.__doc__ or module.__name__).strip().splitlines()[0]


def generation_key(root_key="portal"):
    """The ZODB root key holding the generation of the site at ``root_key``."""
    return f"{root_key}.generation"


def generation_of(zodb_root, root_key="portal"):
    """The generation of the site at ``root_key`` of ``zodb_root``.

    Releases before the root's record kept it on the site as ``evolve_version``, and sites
    older still have neither (generation 0). The site's record wins when present: only older
    code writes it, so a database it ran on again may hold data the later steps must see.
    """
    site = zodb_root[root_key]
    old = getattr(site, _OLD_RECORD, None)
    if old is not None:
        return old
    return zodb_root.get(generation_key(root_key), 0)


def set_generation(zodb_root, number, root_key="portal"):
    """Record ``number`` as the generation of the site at ``root_key`` (caller commits)."""
    site = zodb_root[root_key]
    if getattr(site, _OLD_RECORD, None) is not None:
        delattr(site, _OLD_RECORD)
    zodb_root[generation_key(root_key)] = number


def pending(zodb_root, root_key="portal"):
    """``[(number, module)]`` of the steps the site has not had yet, in order."""
    current = generation_of(zodb_root, root_key)
    return [(number, module) for number, module in steps() if number > current]


def evolve(conn, registry, root_key="portal", progress=None):
    """Apply the pending steps to the site of ``conn``, one transaction each; return the
    numbers applied. ``progress(done, total)`` is told after each step (and before the first).

    Processes sharing a database (ZEO, RelStorage) may start together: a step that conflicts
    with another process's run of it is tried again and found done.
    """
    with conn.transaction_manager:
        todo = pending(conn.root(), root_key)
        if not todo and getattr(conn.root()[root_key], _OLD_RECORD, None) is not None:
            # Nothing to run, but the generation still lives where older releases kept it.
            set_generation(conn.root(), generation_of(conn.root(), root_key), root_key)
    applied = []
    if progress is not None and todo:
        progress(0, len(todo))
    for done, (number, module) in enumerate(todo, 1):
        for attempt in conn.transaction_manager.attempts(5):
            with attempt as txn:
                root = conn.root()
                ran = generation_of(root, root_key) < number
                if ran:
                    txn.note(f"evolve step {number}: {summary(module)}")
                    module.evolve(root[root_key], registry)
                    set_generation(root, number, root_key)
        if ran:
            applied.append(number)
        if progress is not None:
            progress(done, len(todo))
    return applied
