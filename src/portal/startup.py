"""Making the site object in a new database, and bringing an existing one up to date at
start-up, so that no request ever writes to create or repair it."""
import transaction

from . import evolve
from .catalog import rebuild
from .catalog.indexes import index_names
from .catalog.queue import IndexQueue, apply_all
from .content.schedule import Schedule, get_schedule
from .content.types import Site
from .publishing.worklist import new_worklist
from .root import ROOT_KEY
from .security.audit import AuditLog
from .security.principals import Groups, Users
from .security.throttle import Throttle
from .trash import Trash


def ensure_site(zodb_root, now):
    """Return the site in ``zodb_root``, creating it if it is missing (caller commits)."""
    site = zodb_root.get(ROOT_KEY)
    if site is None:
        site = Site(title="Portal")
        site.created = site.modified = site.effective = now
        site.users = Users()
        site.groups = Groups()
        site.throttle = Throttle()
        site.audit_log = AuditLog()
        site.schedule = Schedule()
        # Made now, not by the first save: the saves of that first moment would all make them
        # and conflict on the site object.
        site.index_queue = IndexQueue()
        site.worklist = new_worklist(())
        site.trash = Trash()
        # A new site has the newest data layout: no evolve step applies to it.
        site.evolve_version = evolve.newest()
        zodb_root[ROOT_KEY] = site
    return site


def bootstrap(db, registry):
    """Make the site at start-up, or bring an existing one up to date (evolve steps, missing
    catalog indexes, index notes left by a crash); returns whether it was made."""
    clock = registry.portal_clock
    conn = db.open()
    try:
        with transaction.manager:
            created = ROOT_KEY not in conn.root()
            if created:
                ensure_site(conn.root(), clock.now())
            else:
                site = conn.root()[ROOT_KEY]
                if getattr(site, "schedule", None) is None:
                    # A site made before the schedule existed: fill it once, here, not on a GET.
                    get_schedule(site, create=True, now=clock.now())
                catalog = getattr(site, "catalog", None)
                if catalog is None or set(catalog) != index_names():
                    # A site made before the catalog or one of its indexes: index it once,
                    # at start-up, never on a GET.
                    rebuild(site)
                else:
                    # Notes of saves whose indexing never ran (a crash right after the save).
                    apply_all(site)
        if not created:
            evolve.evolve(conn, registry, ROOT_KEY)
    finally:
        conn.close()
    return created
