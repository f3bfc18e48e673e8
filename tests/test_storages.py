"""Acknowledged saves keep their images on every storage the portal ships for (O1, O2, S6):
the embedded FileStorage of development.ini, a ZEO server and PostgreSQL (RelStorage), each
with real ``portal`` processes, editors saving at once over HTTP, a crash, and ZODB's fstest.
"""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
import zodburi
from pyramid.paster import get_appsettings
from ZODB.Connection import TransactionMetaData
from ZODB.POSException import POSKeyError
from ZODB.utils import z64

from portal.cli import ini_options

from .live_portal import (
    ROOT,
    SECTION,
    Editor,
    LivePortal,
    add_editors,
    image_bytes,
    missing,
    portal_command,
    portal_env,
    save_concurrently,
    storage_ini,
)
from .storage_servers import postgres, zeo_server  # noqa: F401 (fixtures)

SHIPPED_INI = ROOT / "development.ini"
EDITORS = ("bientap1", "bientap2", "bientap3", "bientap4")


def wait_until(condition, timeout, what):
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} after {timeout} s")
        time.sleep(0.05)


def finished(threads, timeout=60):
    """Join the writer threads; fail when one is still running after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a writer is still saving"


# The cause, at the storage level -----------------------------------------------------------

def commit_beside_abort(storage):
    """Store a blob in transaction A, abort an unrelated transaction B on the same storage
    between A's vote and finish (a ConflictError's abort in another thread), finish A; the
    blob file of A as the storage loads it, or None when it is gone."""
    oid = storage.new_oid()
    blob = os.path.join(storage.temporaryDirectory(), "upload.blob")
    with open(blob, "wb") as out:
        out.write(b"image bytes of transaction A")
    first = TransactionMetaData()
    storage.tpc_begin(first)
    storage.storeBlob(oid, z64, b"record of A", blob, "", first)
    storage.tpc_vote(first)
    storage.tpc_abort(TransactionMetaData())
    tid = storage.tpc_finish(first)
    try:
        path = storage.loadBlob(oid, tid)
    except POSKeyError:
        return None
    with open(path, "rb") as data:
        return data.read()


def test_the_shipped_storage_keeps_a_commits_blob_when_another_transaction_aborts(
        tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_VAR", str(tmp_path / "var"))
    options = ini_options(str(SHIPPED_INI))
    uri = get_appsettings(str(SHIPPED_INI), options=options)["zodbconn.uri"]
    factory, _db_options = zodburi.resolve_uri(uri)
    storage = factory()
    try:
        assert commit_beside_abort(storage) == b"image bytes of transaction A"
    finally:
        storage.close()


def test_the_old_file_uri_lost_that_blob_which_is_why_the_config_matters(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    factory, _db_options = zodburi.resolve_uri(
        f"file://{var / 'Data.fs'}?blobstorage_dir={var / 'blobs'}")
    storage = factory()
    try:
        assert commit_beside_abort(storage) is None
    finally:
        storage.close()


# The shipped configuration: development.ini's FileStorage in one server ------------------

@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory):
    """A pristine data folder made by ``portal init development.ini --profile default`` and
    ``portal adduser`` for the editors (copy it before serving)."""
    var = tmp_path_factory.mktemp("shipped") / "var"
    env = portal_env(var)
    portal_command(SHIPPED_INI, "init", "--profile", "default", env=env)
    add_editors(SHIPPED_INI, env, EDITORS)
    return var


@pytest.fixture
def shipped(shipped_site, tmp_path):
    """(server, environment) of ``portal serve development.ini`` over a copy of the site."""
    var = tmp_path / "var"
    shutil.copytree(shipped_site, var)
    server = LivePortal(SHIPPED_INI, portal_env(var))
    yield server, var
    server.stop()


def fstest(datafs):
    """ZODB's fstest over ``datafs``: (exit status, output)."""
    done = subprocess.run([sys.executable, "-m", "ZODB.scripts.fstest", str(datafs)],
                          check=False, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow
def test_concurrent_editors_keep_every_image_on_the_shipped_storage(shipped):
    server, var = shipped
    server.start()
    threads, saves = save_concurrently([server.url], EDITORS, per_editor=8)
    finished(threads)
    assert len(saves.saved) >= len(EDITORS) * 8 // 4, saves.failures
    assert missing(Editor(server.url, EDITORS[0]), saves.saved) == [], saves.failures
    server.stop()
    assert fstest(var / "Data.fs") == (0, "")


@pytest.mark.slow
def test_a_crash_mid_load_loses_no_acknowledged_item(shipped):
    server, var = shipped
    server.start()
    stop = threading.Event()
    threads, saves = save_concurrently([server.url], EDITORS, stop=stop)
    try:
        wait_until(lambda: saves.count() >= 16, 40, "fewer than 16 saves acknowledged")
        server.stop(signal.SIGKILL)
    finally:
        stop.set()
        finished(threads)
    server.start()
    assert missing(Editor(server.url, EDITORS[0]), saves.saved) == []
    server.stop()
    assert fstest(var / "Data.fs") == (0, "")


# Several processes on one database: ZEO and PostgreSQL ------------------------------------

@pytest.fixture(params=["zeo", "relstorage"])
def shared_storage(request, tmp_path):
    """(ini, environment for a process's data folder) over a real ZEO server or a scratch
    PostgreSQL database, with the site made by ``portal init`` and the editors by
    ``portal adduser`` against it."""
    if request.param == "zeo":
        extra = {"PORTAL_ZEO_SERVER": request.getfixturevalue("zeo_server").address}
    else:
        extra = {"PORTAL_PG_DSN": request.getfixturevalue("postgres").dsn()}
    ini = storage_ini(tmp_path, f"{request.param}.conf")

    def env(name):
        return portal_env(tmp_path / name, **extra)

    portal_command(ini, "init", env=env("admin"))
    add_editors(ini, env("admin"), EDITORS)
    return ini, env


@pytest.fixture
def two_servers(shared_storage):
    """Two ``portal serve`` processes on the shared storage, each with its own data folder."""
    ini, env = shared_storage
    servers = [LivePortal(ini, env(f"process{n}")) for n in (1, 2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.mark.slow
def test_two_processes_see_each_others_saves_and_lose_nothing_saving_at_once(two_servers):
    first, second = two_servers
    writer, reader = Editor(first.url, EDITORS[0]), Editor(second.url, EDITORS[1])
    for number in range(3):
        title = f"Tin qua tiến trình thứ nhất {number}"
        image = image_bytes(number)
        url = writer.add_news(SECTION, title, image)
        assert url.startswith(first.url)
        # The other process's very next request, with no waiting: its page and its image.
        assert missing(reader, {url: (title, image)}) == []

    threads, saves = save_concurrently([first.url, second.url], EDITORS, per_editor=5)
    finished(threads)
    assert len(saves.saved) >= len(EDITORS) * 5 // 4, saves.failures
    for editor in (writer, reader):
        assert missing(editor, saves.saved) == [], saves.failures
