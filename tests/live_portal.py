"""The portal as it runs in production, for the storage tests and bench/concurrent_saves.py:
``portal init``, ``portal adduser`` and ``portal serve`` as subprocesses over a given storage,
and an ``Editor`` that signs in and adds news items with an image over HTTP (urllib, its own
cookie jar), as a browser would.
"""
import html.parser
import http.cookiejar
import io
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path

from PIL import Image

from .storage_servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
PORTAL = Path(sys.executable).parent / "portal"
PASSWORD = "Mat-khau-2026-dai"
SECRET = "live-portal-secret-not-for-production"
# A date-ordered news section of the default profile that the group ban-tuyen-giao edits.
SECTION = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"


def storage_ini(folder, conf, base="development.ini", settings=None):
    """An ini in ``folder``: the repository's ``base`` ini over the ZConfig file ``conf`` (a
    name in etc/, e.g. ``zeo.conf``), with the ``default`` profile only and ``settings``
    (name: value) replacing the base's lines; returns its path."""
    wanted = {"zodbconn.uri": f"zconfig://{ROOT / 'etc' / conf}",
              "portal.profiles": "default", **(settings or {})}
    lines = []
    for line in (ROOT / base).read_text().splitlines():
        name = line.split("=", 1)[0].strip()
        lines.append(f"{name} = {wanted[name]}" if name in wanted and "=" in line else line)
    path = Path(folder) / f"{Path(base).stem}-{Path(conf).stem}.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def portal_env(var, **extra):
    """The environment of a ``portal`` command over the data folder ``var``; ``extra`` adds
    variables such as ``PORTAL_ZEO_SERVER`` or ``PORTAL_PG_DSN``."""
    env = dict(os.environ, PORTAL_VAR=str(var), PORTAL_SECRET=SECRET,
               PORTAL_ADMIN_PASSWORD=PASSWORD)
    env.update({name: str(value) for name, value in extra.items()})
    return env


def portal_command(ini, *args, env, stdin=None, timeout=120):
    """Run ``portal <command> <ini> args...``; its output, or AssertionError with it."""
    command, *rest = args
    done = subprocess.run([str(PORTAL), command, str(ini), *rest], env=env, input=stdin, check=False,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (f"portal {command} exited with {done.returncode}:\n"
                                  f"{done.stdout}\n{done.stderr}")
    return done.stdout


def add_editors(ini, env, logins, group="ban-tuyen-giao"):
    """``portal adduser`` for each login: an Editor of ``group``'s sections, password
    ``PASSWORD`` given on standard input."""
    for login in logins:
        portal_command(ini, "adduser", login, "--role", "Editor", "--group", group,
                       "--password-stdin", env=env, stdin=PASSWORD + "\n")


class LivePortal:
    """``portal serve <ini>`` as a subprocess on a free loopback port."""

    def __init__(self, ini, env, threads=4, log=None):
        self.ini, self.env, self.threads = ini, env, threads
        self.log = Path(log or Path(env["PORTAL_VAR"]) / "serve.log")
        self.port = None
        self.process = None

    @property
    def url(self):
        """The base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        """Start the server (on a new free port) and return once it accepts connections."""
        self.port = free_port()
        env = dict(self.env, PORTAL_PORT=str(self.port))
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(PORTAL), "serve", str(self.ini), "--threads", str(self.threads)],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, timeout=timeout, process=self.process)
        return self

    def stop(self, sig=signal.SIGTERM):
        """Stop the server with ``sig`` (``signal.SIGKILL``: a crash) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def image_bytes(seed, size=(320, 200)):
    """A small real PNG whose pixels depend on ``seed``, so every item's image differs; wider
    than the thumbnail, so a save writes two blobs (the original and its thumb scale)."""
    out = io.BytesIO()
    colour = (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256)
    picture = Image.new("RGB", size, colour)
    picture.putpixel((seed % size[0], 0), (255 - colour[0], 0, 0))
    picture.save(out, "PNG")
    return out.getvalue()


class _FormFields(html.parser.HTMLParser):
    """The successful controls of the form ``form_id``, in document order, as deform's
    peppercorn markers need (file inputs as ``(name, None)``)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside or "name" not in attrs:
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind == "file":
                self.fields.append((attrs["name"], None))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                self.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def _multipart(fields):
    """(body, content type) of ``fields``: (name, str) or (name, (filename, bytes, type))."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(f"--{boundary}\r\n".encode())
        if isinstance(value, tuple):
            filename, data, content_type = value
            out.write(f'Content-Disposition: form-data; name="{name}"; '
                      f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode())
            out.write(data)
        else:
            out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.write(value.encode())
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class SaveRefused(Exception):
    """The server did not acknowledge a save (its status and the start of its answer)."""


class Editor:
    """A signed-in editor of one portal (``base_url``), with its own cookies."""

    def __init__(self, base_url, login, password=PASSWORD, timeout=30):
        self.base_url, self.login, self.timeout = base_url.rstrip("/"), login, timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())
        self.sign_in(password)

    def request(self, url, data=None, content_type=None):
        """(status, headers, body) of a GET, or a POST when ``data`` is given; redirects are
        returned, not followed."""
        url = url if url.startswith("http") else self.base_url + url
        request = urllib.request.Request(url, data=data)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, url):
        """(status, body) of ``url`` (an absolute URL or a path)."""
        status, _headers, body = self.request(url)
        return status, body

    def _csrf(self):
        return next(c.value for c in self.cookies if c.name == "portal_csrf")

    def sign_in(self, password):
        """Sign in with the password (the form's CSRF token comes from its cookie)."""
        self.get("/@@login")
        data = urllib.parse.urlencode({"csrf_token": self._csrf(), "login": self.login,
                                       "password": password, "came_from": ""}).encode()
        status, _headers, body = self.request("/@@login", data,
                                              "application/x-www-form-urlencoded")
        if status != 303:
            raise SaveRefused(f"sign-in of {self.login} answered {status}: {body[:300]!r}")

    def add_news(self, section, title, image, body="<p>Tin bài thử nghiệm.</p>"):
        """Add a news item with the PNG ``image`` to ``section`` (a path); its URL once the
        server has answered the save with the redirect to it, else ``SaveRefused``."""
        add = section.rstrip("/") + "/@@add?type=NewsItem"
        status, page = self.get(add)
        if status != 200:
            raise SaveRefused(f"the add form answered {status}: {page[:300]!r}")
        parser = _FormFields("manage-form")
        parser.feed(page.decode())
        wanted = {"title": title, "body": body, "image_caption": title}
        fields = [(name, ("anh.png", image, "image/png") if value is None
                   else wanted.get(name, value)) for name, value in parser.fields]
        if not any(value is None for _name, value in parser.fields):
            raise SaveRefused("the add form has no image field")
        data, content_type = _multipart(fields + [("save", "save")])
        status, headers, answer = self.request(add, data, content_type)
        if status != 303:
            raise SaveRefused(f"the save answered {status}: {answer[:300]!r}")
        return headers["Location"]


def image_url(item_url, scale="original"):
    """The URL streaming an item's image from its blob (views/files.py)."""
    return item_url.rstrip("/") + f"/@@image/{scale}"


def missing(editor, saved):
    """The problems found reading back ``saved`` ({item URL or path: (title, image bytes)})
    from the editor's server: every page must answer 200 with its title, every image 200
    with the bytes sent and every thumbnail 200 with a JPEG."""
    problems = []
    for item, (title, image) in saved.items():
        url = urllib.parse.urlsplit(item).path
        status, page = editor.get(url)
        if status != 200 or title.encode() not in page:
            problems.append(f"{url}: {status}")
        status, data = editor.get(image_url(url))
        if status != 200 or data != image:
            problems.append(f"{image_url(url)}: {status}, {len(data)} bytes")
        status, data = editor.get(image_url(url, "thumb"))
        if status != 200 or not data.startswith(b"\xff\xd8"):
            problems.append(f"{image_url(url, 'thumb')}: {status}, {len(data)} bytes")
    return problems


@dataclass
class Saves:
    """What concurrent editors did: the acknowledged items ({path: (title, image bytes)}),
    the refused or broken saves (messages), the latency of every attempt and of the
    acknowledged ones, in seconds."""
    saved: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    latencies: list = field(default_factory=list)
    saved_latencies: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self):
        """How many saves were acknowledged so far."""
        with self.lock:
            return len(self.saved)


def save_concurrently(urls, logins, section=SECTION, per_editor=None, stop=None, tag=""):
    """One thread per login, an ``Editor`` of ``urls[i % len(urls)]``, adding news items with
    distinct images to ``section`` until it has tried ``per_editor`` saves or ``stop`` (a
    ``threading.Event``) is set. The editors sign in one after the other first, so only saves
    run at once. Starts the threads and returns ``(threads, saves)``."""
    saves = Saves()
    stop = stop or threading.Event()
    editors = [Editor(urls[number % len(urls)], login) for number, login in enumerate(logins)]

    def work(editor):
        attempt = 0
        while not stop.is_set() and (per_editor is None or attempt < per_editor):
            attempt += 1
            title = f"Tin {tag}{editor.login} số {attempt}"
            image = image_bytes(zlib.crc32(title.encode()))
            started = time.perf_counter()
            try:
                url = editor.add_news(section, title, image)
            except (OSError, HTTPException, SaveRefused) as exc:
                outcome = f"{title}: {exc}"
            else:
                outcome = None
            elapsed = time.perf_counter() - started
            with saves.lock:
                saves.latencies.append(elapsed)
                if outcome is None:
                    saves.saved[urllib.parse.urlsplit(url).path] = (title, image)
                    saves.saved_latencies.append(elapsed)
                else:
                    saves.failures.append(outcome)

    threads = [threading.Thread(target=work, args=(editor,), daemon=True,
                                name=f"editor-{editor.login}") for editor in editors]
    for thread in threads:
        thread.start()
    return threads, saves
