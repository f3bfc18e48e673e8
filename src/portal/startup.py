"""Making the site object in a new database, and bringing an existing one up to date at
start-up, so that no request ever writes to create or repair it."""
import transaction
from BTrees.OOBTree import OOBTree

from . import evolve
from .catalog import rebuild
from .catalog.indexes import index_names
from .catalog.queue import IndexQueue, apply_all
from .content.schedule import Schedule
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
        site.privileged_grants = OOBTree()
        zodb_root[ROOT_KEY] = site
        # A new site has the newest data layout: no evolve step applies to it.
        evolve.set_generation(zodb_root, evolve.newest(), ROOT_KEY)
    return site


def bootstrap(db, registry, progress=None):
    """Make the site at start-up, or bring an existing one up to date (missing catalog
    indexes, index notes left by a crash, then the pending evolve steps, ``progress(done,
    total)`` told after each); returns the numbers of the steps applied."""
    conn = db.open()
    try:
        with transaction.manager:
            created = ROOT_KEY not in conn.root()
            if created:
                ensure_site(conn.root(), registry.portal_clock.now())
            else:
                site = conn.root()[ROOT_KEY]
                catalog = getattr(site, "catalog", None)
                if catalog is None or set(catalog) != index_names():
                    # A site made before the catalog or one of its indexes: index it once,
                    # at start-up, never on a GET.
                    rebuild(site)
                else:
                    # Notes of saves whose indexing never ran (a crash right after the save).
                    apply_all(site)
        return [] if created else evolve.evolve(conn, registry, ROOT_KEY, progress)
    finally:
        conn.close()
