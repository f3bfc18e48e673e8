"""The portal as deployed (docs/deployment.md, "Behind nginx"): waitress's connection limits
and timeouts in both ini files, production's trusted proxy, and the nginx configuration of
etc/nginx/ checked with ``nginx -t`` and run in front of a real ``portal serve``.

nginx is Debian's ``nginx`` package (``.ci/run`` installs it); only the tests that run nginx
itself are skipped without it. Nothing here sleeps: the idle timeouts are read from the
configuration, not waited for.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import urllib.parse

import pytest
from waitress.adjustments import Adjustments

from portal.cli import server_settings
from portal.security.headers import HSTS
from portal.testing import open_db
from portal.views.manage.uploads import DEFAULT_MAX_FILE

from .live_portal import ROOT, LivePortal, portal_command, portal_env, storage_ini
from .storage_servers import free_port, wait_for_port

NGINX_CONF = ROOT / "etc" / "nginx" / "portal.conf"
HOST = "portal.example.vn"
PUBLIC_URL = f"https://{HOST}"
VISITOR = "203.0.113.9"
NGINX = shutil.which("nginx", path=os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed "
                                 "(Debian: apt-get install nginx; .ci/run does)")
MB = 1024 * 1024


def ini_server(name):
    """The waitress adjustments ``portal serve`` makes of the ini ``name``."""
    options = {"PORTAL_PORT": "6543", "PORTAL_VAR": "/tmp", "PORTAL_SECRET": "x"}
    settings = server_settings(str(ROOT / name), options)
    return settings, Adjustments(host="127.0.0.1", port=6543, **settings)


def nginx_directives(name):
    """The values of every ``name`` directive of etc/nginx/portal.conf, in order."""
    text = re.sub(r"#.*", "", NGINX_CONF.read_text())
    return [value.strip() for value in re.findall(rf"^\s*{name}\s+([^;{{]*);", text, re.MULTILINE)]


# The ini files -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["development.ini", "production.ini"])
def test_both_ini_files_bound_connections_and_their_idle_time(name):
    settings, adjustments = ini_server(name)
    assert adjustments.threads == 4
    assert adjustments.connection_limit == 200
    # An idle connection is gone within 40 s (waitress's defaults: 120 s every 30 s).
    assert adjustments.channel_timeout == 30 and adjustments.cleanup_interval == 10
    assert adjustments.max_request_body_size == 52 * MB
    assert "listen" not in settings and "use" not in settings


def test_production_trusts_the_forwarded_headers_of_the_local_proxy_alone():
    _settings, adjustments = ini_server("production.ini")
    assert adjustments.trusted_proxy == "127.0.0.1"
    assert adjustments.trusted_proxy_count == 1
    assert adjustments.trusted_proxy_headers == {
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}
    assert adjustments.clear_untrusted_proxy_headers is True
    _settings, development = ini_server("development.ini")
    assert development.trusted_proxy is None


def test_the_nginx_configuration_matches_the_ini_files():
    _settings, adjustments = ini_server("production.ini")
    upstream = nginx_directives("server")
    assert upstream == [f"{adjustments.trusted_proxy}:6543"]
    sent = {value.split()[0].lower(): value.split()[1]
            for value in nginx_directives("proxy_set_header")}
    assert sent["x-forwarded-proto"] == "$scheme"
    assert sent["x-forwarded-host"] == sent["host"] == "$host"
    # The visitor's address itself, never a list the client could begin.
    assert sent["x-forwarded-for"] == "$remote_addr"
    assert set(sent) >= adjustments.trusted_proxy_headers
    assert nginx_directives("client_max_body_size") == ["52m"]
    assert adjustments.max_request_body_size == 52 * MB > DEFAULT_MAX_FILE
    for name in ("client_header_timeout", "client_body_timeout", "send_timeout",
                 "limit_conn", "limit_req"):
        assert nginx_directives(name), name


# Production's waitress behind a proxy, for real ------------------------------------------------

@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """A data folder made by ``portal init`` with the default profile, and the ini used:
    production.ini with its public address set."""
    folder = tmp_path_factory.mktemp("production")
    ini = storage_ini(folder, "filestorage.conf", base="production.ini",
                      settings={"portal.public_url": PUBLIC_URL})
    var = folder / "var"
    portal_command(ini, "init", env=portal_env(var))
    return ini, var


def get(port, path="/", headers=None):
    """(status, headers, body text) of a GET to 127.0.0.1:``port``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": HOST,
             "X-Forwarded-For": VISITOR}


def fail_sign_in(port, headers):
    """A wrong password posted to 127.0.0.1:``port`` with ``headers``; the status."""
    _status, answer, _body = get(port, "/@@login", headers)
    cookie = next(value.split(";", 1)[0] for value in answer.get_all("Set-Cookie")
                  if "csrf" in value.split("=", 1)[0])
    token = cookie.split("=", 1)[1]
    body = urllib.parse.urlencode({"csrf_token": token, "login": "admin",
                                   "password": "sai-mat-khau-2026", "came_from": ""})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/@@login", body=body, headers={
            **headers, "Cookie": cookie, "Origin": PUBLIC_URL,
            "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def failed_sign_in_addresses(var):
    db = open_db(var)
    try:
        conn = db.open()
        entries, _total = conn.root()["portal"].audit_log.query(action="login-failed")
        addresses = [entry.address for entry in entries]
        conn.close()
        return addresses
    finally:
        db.close()


@pytest.mark.slow
def test_the_trusted_proxy_gives_the_scheme_host_and_address(production_site, tmp_path):
    ini, pristine = production_site
    var = tmp_path / "var"
    shutil.copytree(pristine, var)
    with LivePortal(ini, portal_env(var)) as server:
        status, headers, page = get(server.port, "/", FORWARDED)
        assert status == 200
        assert headers["Strict-Transport-Security"] == HSTS
        assert f'href="{PUBLIC_URL}/' in page and "127.0.0.1" not in page
        status, headers, page = get(server.port, "/")
        assert "Strict-Transport-Security" not in headers
        assert f'href="http://127.0.0.1:{server.port}/' in page
        assert fail_sign_in(server.port, FORWARDED) == 401
    assert failed_sign_in_addresses(var) == [VISITOR]


@pytest.mark.slow
def test_forwarded_headers_from_an_untrusted_address_are_ignored(production_site, tmp_path):
    folder = tmp_path / "untrusted"
    # The same settings with another machine as the proxy: this test's requests come from
    # 127.0.0.1, which is then a client like any other.
    ini = storage_ini(folder, "filestorage.conf", base="production.ini",
                      settings={"portal.public_url": PUBLIC_URL, "trusted_proxy": "192.0.2.1"})
    var = folder / "var"
    shutil.copytree(production_site[1], var)
    with LivePortal(ini, portal_env(var)) as server:
        status, headers, page = get(server.port, "/", FORWARDED)
        assert status == 200
        assert "Strict-Transport-Security" not in headers
        assert f'href="http://127.0.0.1:{server.port}/' in page and HOST + "/" not in page
        assert fail_sign_in(server.port, FORWARDED) == 401
    assert failed_sign_in_addresses(var) == ["127.0.0.1"]


# nginx -------------------------------------------------------------------------------------------

def nginx_setup(folder, upstream_port=6543):
    """A copy of etc/nginx/portal.conf in ``folder`` with a self-signed certificate made
    here, free loopback ports for 80 and 443 and the upstream on ``upstream_port``, and two
    wrappers including it: a minimal one and Debian's /etc/nginx/nginx.conf (when present)
    with its own conf.d/ and sites-enabled/ replaced by the copy. Returns (wrappers, plain
    port, TLS port, certificate)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to make the test certificate (.ci/run installs it)"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}",
                    "-addext", f"subjectAltName=DNS:{HOST}"],
                   check=True, capture_output=True)
    plain, tls = free_port(), free_port()
    text = NGINX_CONF.read_text()
    text = text.replace(f"/etc/ssl/certs/{HOST}.pem", str(cert))
    text = text.replace(f"/etc/ssl/private/{HOST}.key", str(key))
    text = text.replace("server 127.0.0.1:6543;", f"server 127.0.0.1:{upstream_port};")
    # nginx -t binds the ports: loopback ones a test may use, IPv4 only (IPv6 may be off).
    text = re.sub(r"^\s*listen \[::\]:.*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"listen 80\b", f"listen 127.0.0.1:{plain}", text)
    text = re.sub(r"listen 443\b", f"listen 127.0.0.1:{tls}", text)
    conf = folder / "portal.conf"
    conf.write_text(text)
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx's workers would run as nobody, who cannot enter the test's folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    minimal = folder / "nginx.conf"
    minimal.write_text(f"{user}pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
                       f"events {{}}\nhttp {{\n    access_log {folder / 'access.log'};\n"
                       f"{temp}\n    include {conf};\n}}\n")
    wrappers = [minimal]
    debian = "/etc/nginx/nginx.conf"
    if os.path.exists(debian):
        with open(debian) as original:
            text = original.read()
        text = text.replace("include /etc/nginx/conf.d/*.conf;", f"include {conf};")
        text = re.sub(r"^\s*include /etc/nginx/sites-enabled/\*;\n", "", text, flags=re.MULTILINE)
        text = text.replace("/var/log/nginx/", f"{folder}/")
        text = re.sub(r"^pid .*;", f"pid {folder / 'debian.pid'};", text, flags=re.MULTILINE)
        (folder / "debian.conf").write_text(text)
        wrappers.append(folder / "debian.conf")
    return wrappers, plain, tls, cert


def nginx(*args, folder):
    """The nginx command line ``args``, logging its start-up errors into ``folder``."""
    return [NGINX, *args, "-e", str(folder / "error.log")]


@needs_nginx
def test_nginx_accepts_the_configuration(tmp_path):
    wrappers, _plain, _tls, _cert = nginx_setup(tmp_path)
    for wrapper in wrappers:
        done = subprocess.run(nginx("-t", "-c", str(wrapper), folder=tmp_path),
                              check=False, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{wrapper.name}:\n{done.stderr}"
        assert "test is successful" in done.stderr


@pytest.fixture
def behind_nginx(production_site, tmp_path):
    """(nginx's plain port, its TLS port, the certificate, the data folder) of nginx running
    etc/nginx/portal.conf in front of ``portal serve production.ini``."""
    var = tmp_path / "var"
    shutil.copytree(production_site[1], var)
    folder = tmp_path / "nginx"
    with LivePortal(production_site[0], portal_env(var)) as server:
        wrappers, plain, tls, cert = nginx_setup(folder, upstream_port=server.port)
        process = subprocess.Popen(
            nginx("-c", str(wrappers[0]), "-g", "daemon off;", folder=folder),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(tls, process=process)
            yield plain, tls, cert, var
        finally:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def over_tls(port, cert, method="GET", path="/", headers=None):
    """(status, headers, body text) of a request to nginx's TLS port naming the portal's host
    (SNI and Host), the certificate made by the test trusted."""
    context = ssl.create_default_context(cafile=str(cert))
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30),
                               server_hostname=HOST)
    connection = http.client.HTTPConnection(HOST, timeout=30)
    connection.sock = sock
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


@needs_nginx
@pytest.mark.slow
def test_nginx_in_front_of_the_portal(behind_nginx):
    plain, tls, cert, _var = behind_nginx
    status, headers, page = over_tls(tls, cert)
    assert status == 200
    assert headers["Strict-Transport-Security"] == HSTS
    assert f'href="{PUBLIC_URL}/' in page and "127.0.0.1" not in page
    assert headers["Vary"] == "Cookie" and headers["Server"] == "nginx"  # no version
    # A body larger than any upload is refused by nginx before it reaches waitress.
    status, _headers, _page = over_tls(tls, cert, "POST", "/@@login", {
        "Content-Length": str(60 * MB), "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    # Plain http goes to https; a name that is not the portal's gets no answer at all.
    status, headers, _page = get(plain, "/tin-tuc/?x=1", {"Host": HOST})
    assert status == 301 and headers["Location"] == f"{PUBLIC_URL}/tin-tuc/?x=1"
    with pytest.raises(http.client.RemoteDisconnected):
        get(plain, "/", {"Host": "attacker.example"})
    with pytest.raises(ssl.SSLError):
        over_tls_without_name(tls)


def over_tls_without_name(port):
    """A TLS handshake naming no server (a scanner by address): refused by nginx."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, \
            context.wrap_socket(raw) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
