"""Real database servers for the tests: a ZEO server (``runzeo``) and a scratch PostgreSQL
cluster (Debian's ``postgresql`` package), each on loopback and owned by the test.

PostgreSQL refuses to run as root: as root the cluster belongs to the ``postgres`` user the
package creates. A missing package skips the test with the reason.
"""
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30.0, process=None):
    """Return once something accepts connections on ``port``; fail the test otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port} after {timeout} s")


class ZeoServer:
    """``runzeo`` serving ``folder/Data.fs`` with its blobs on a free loopback port."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None

    @property
    def address(self):
        """``host:port`` for ``$(PORTAL_ZEO_SERVER)``."""
        return f"127.0.0.1:{self.port}"

    def start(self):
        """Start the server and wait until it accepts connections."""
        conf = self.folder / "zeo.conf"
        conf.write_text(
            f"<zeo>\n  address {self.address}\n</zeo>\n"
            f"<filestorage>\n  path {self.folder / 'Data.fs'}\n"
            f"  blob-dir {self.folder / 'blobs'}\n</filestorage>\n")
        with open(self.folder / "zeo.log", "ab") as log:  # the server keeps its own copy
            self.process = subprocess.Popen([str(VENV_BIN / "runzeo"), "-C", str(conf)],
                                            stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, process=self.process)
        return self

    def stop(self, sig=signal.SIGTERM):
        """Stop the server (``signal.SIGKILL`` for a crash) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
        self.process = None


def _postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """A throw-away PostgreSQL cluster on a free loopback port, trusting local connections."""

    def __init__(self):
        self.bin = _postgres_bin()
        if self.bin is None:
            pytest.skip("PostgreSQL is not installed (Debian package postgresql); "
                        ".ci/run installs it")
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.folder / "data"
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user to own the cluster")
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *argv, **kwargs):
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.user is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, **kwargs)

    def dsn(self, dbname="portal"):
        """A libpq connection string for ``$(PORTAL_PG_DSN)``."""
        return (f"dbname={dbname} user=postgres host=127.0.0.1 port={self.port} "
                "connect_timeout=3")

    def start(self):
        """initdb on first start, then start the server and make the ``portal`` database."""
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--no-sync")
            (self.data / "postgresql.auto.conf").write_text(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\nfsync = off\n"
                "max_prepared_transactions = 20\n")
            created = True
        else:
            created = False
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w",
                  "start")
        if created:
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                      "portal")
        return self

    def stop(self, mode="fast"):
        """Stop the server (``mode`` ``immediate`` for a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self):
        """Stop if running and delete the cluster's files."""
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def zeo_server(tmp_path):
    """A running ZEO server over a new database in ``tmp_path/zeo``."""
    server = ZeoServer(tmp_path / "zeo").start()
    yield server
    server.stop()


@pytest.fixture
def postgres():
    """A running scratch PostgreSQL cluster with an empty ``portal`` database."""
    cluster = PostgresCluster().start()
    yield cluster
    cluster.remove()
