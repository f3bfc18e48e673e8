"""Building a database outside a running application: for tests and benchmarks."""
from datetime import UTC, datetime
from pathlib import Path

import transaction
from pyramid.config import Configurator
from ZODB import DB
from ZODB.FileStorage import FileStorage

from .clock import FixedClock
from .paths import resource_dirs
from .profiles import apply_profiles
from .startup import ensure_site

FIXED_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def make_registry(now=FIXED_NOW):
    """A registry with the content types and subscribers, and a clock fixed at ``now``."""
    config = Configurator(settings={"portal.available_languages": "vi en"})
    config.include("portal.clock")
    config.include("portal.content")
    config.include("portal.navigation")
    config.include("portal.publishing")
    config.include("portal.catalog")
    config.commit()
    config.registry.portal_clock = FixedClock(now)
    return config.registry


def open_db(var):
    """The FileStorage database (with blobs) in the folder ``var``."""
    var = Path(var)
    var.mkdir(parents=True, exist_ok=True)
    return DB(FileStorage(str(var / "Data.fs"), blob_dir=str(var / "blobs")))


def storage_uri(var, cache_size=None):
    """A ``zconfig://`` URI for the FileStorage with blobs in the folder ``var``.

    The same storage as the shipped ``etc/filestorage.conf`` (FileStorage's own blob support),
    written into ``var`` with its paths spelled out, so that several databases can be open in
    one process without sharing the ``PORTAL_VAR`` environment variable.
    """
    var = Path(var).resolve()
    var.mkdir(parents=True, exist_ok=True)
    conf = var / "zodb.conf"
    cache = f"  cache-size {cache_size}\n" if cache_size else ""
    conf.write_text(f"<zodb>\n{cache}  pool-size 16\n  <filestorage>\n"
                    f"    path {var / 'Data.fs'}\n    blob-dir {var / 'blobs'}\n"
                    "  </filestorage>\n</zodb>\n")
    return f"zconfig://{conf}"


def build_database(var, profiles, now=FIXED_NOW, extend=None):
    """Create a database in ``var`` with ``profiles`` applied at ``now``.

    ``extend(site, registry)``, when given, runs in the same transaction afterwards.
    """
    registry = make_registry(now)
    db = open_db(var)
    conn = db.open()
    try:
        with transaction.manager:
            site = ensure_site(conn.root(), now)
            apply_profiles(site, registry, resource_dirs({})[1], profiles, now)
            if extend is not None:
                extend(site, registry)
    finally:
        conn.close()
        db.close()
    return Path(var)
