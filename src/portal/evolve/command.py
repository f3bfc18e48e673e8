"""``portal evolve``: the pending evolve steps of a database, listed or applied.

Start-up applies them too; the command shows each step's progress, so an operator runs it,
the portal stopped, before starting a release whose steps are long (docs/deployment.md).
"""
from pyramid.config import Configurator

from ..root import ROOT_KEY, root_factory
from ..startup import bootstrap
from ..storage import open_database
from . import generation_of, pending, summary


def state(settings):
    """``(generation, [(number, summary)] of the pending steps)`` of the site in the
    database of ``settings``, read without writing."""
    db = open_database(settings)
    try:
        conn = db.open()
        try:
            root = conn.root()
            return (generation_of(root, ROOT_KEY),
                    [(number, summary(module)) for number, module in pending(root, ROOT_KEY)])
        finally:
            conn.transaction_manager.abort()
            conn.close()
    finally:
        db.close()


def configured_registry(settings):
    """The application's registry over the database of ``settings``, made as ``portal.main``
    makes it but without its start-up, which would apply the steps unseen."""
    config = Configurator(settings=settings, root_factory=root_factory)
    config.include("portal")
    config.commit()
    return config.registry


def evolve_database(settings, dry_run=False, progress=None, out=print):
    """Apply the pending steps of the database of ``settings`` (``dry_run``: only list them),
    telling ``progress(done, total)`` and writing what was done with ``out``; returns the
    numbers of the steps applied."""
    generation, todo = state(settings)
    if not todo:
        out(f"The database is at generation {generation}, the newest: no evolve step to apply.")
        return []
    if dry_run:
        out(f"The database is at generation {generation}; {len(todo)} evolve step(s) to apply:")
        for number, text in todo:
            out(f"  {number}: {text}")
        return []
    registry = configured_registry(settings)
    db = registry._zodb_databases[""]
    try:
        applied = bootstrap(db, registry, progress)
    finally:
        db.close()
    texts = dict(todo)
    # Another process sharing the database may have applied some of them meanwhile.
    out(f"{len(applied)} evolve step(s) applied:")
    for number in applied:
        out(f"  {number}: {texts[number]}")
    out(f"The database is at generation {todo[-1][0]}.")
    return applied
