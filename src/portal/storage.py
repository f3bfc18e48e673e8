"""The database the settings name, whatever its storage: FileStorage, ZEO or RelStorage.

The ``portal`` command uses these to look at a database without building the application
(which would create the site), to tell whether processes share the storage, and to find blob
records whose file is missing.
"""
from pyramid_zodbconn import db_from_uri
from ZODB.blob import is_blob_record
from ZODB.DemoStorage import DemoStorage
from ZODB.FileStorage import FileStorage
from ZODB.MappingStorage import MappingStorage
from ZODB.POSException import POSKeyError

from .root import ROOT_KEY

# Storages that live inside one process: a second process cannot open them at the same time.
_LOCAL = (FileStorage, MappingStorage, DemoStorage)


def open_database(settings):
    """A ``ZODB.DB`` over ``zodbconn.uri`` of ``settings`` (the caller closes it).

    Opening never writes to a database that has a root object already.
    """
    return db_from_uri(settings["zodbconn.uri"], "", {})


def has_site(db):
    """Whether the database holds the portal's site (read only)."""
    conn = db.open()
    try:
        return ROOT_KEY in conn.root()
    finally:
        conn.transaction_manager.abort()
        conn.close()


def is_shared(db):
    """Whether other processes can use this database at the same time (ZEO, RelStorage)."""
    return not isinstance(db.storage, _LOCAL)


def missing_blobs(db, progress=None):
    """``[(oid, tid)]`` of the current blob records whose file the storage cannot give.

    Reads the whole history once through the storage's iterator (FileStorage, ZEO and
    RelStorage all have one); ``progress(transactions_read)`` is told now and then.
    """
    current = {}
    for count, txn in enumerate(db.storage.iterator(), 1):
        for record in txn:
            if record.data is not None and is_blob_record(record.data):
                current[record.oid] = record.tid
            else:
                current.pop(record.oid, None)
        if progress is not None and count % 1000 == 0:
            progress(count)
    missing = []
    for oid, tid in current.items():
        try:
            db.storage.loadBlob(oid, tid)
        except POSKeyError:
            missing.append((oid, tid))
    return missing


def items_holding(site, oids):
    """Paths of the content items whose file or image (or one of its scales) is a blob with
    one of ``oids``; walks the content tree, for the rare repair of a damaged database."""
    from .content.base import path_of

    wanted = set(oids)
    found = []

    def blob_oids(data):
        blob = getattr(data, "blob", None)
        if blob is not None:
            yield blob._p_oid
        for scale in getattr(data, "scales", {}).values():
            yield from blob_oids(scale)

    def walk(obj):
        for name in ("file", "image"):
            data = getattr(obj, name, None)
            if data is not None and wanted.intersection(blob_oids(data)):
                found.append("/" + path_of(obj))
                break
        if getattr(obj, "working_copy", None) is not None:
            walk(obj.working_copy)
        if getattr(obj, "is_container", False):
            for name in obj:
                walk(obj[name])
    walk(site)
    return found
