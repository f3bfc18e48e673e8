"""Outgoing mail: queued in the transaction, delivered by a background pass (docs/mail.md).

``send_mail`` writes the message into a Maildir queue through repoze.sendmail's
``QueuedMailDelivery``: the file enters the queue when the transaction commits and is removed
when it aborts, so a refused or retried request sends nothing twice. ``deliver_queued`` sends
what is queued over SMTP; when the server cannot be reached the messages stay queued for the
next pass. ``portal serve`` runs a pass every ``mail.queue_interval`` seconds in a daemon
thread; ``portal mailqueue`` runs one.

Messages are written in the recipient's language: ``translate(registry, lang, msg)``.
"""
import logging
import os
import smtplib
import ssl
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import compat32
from email.utils import format_datetime, getaddresses, parseaddr
from functools import partial
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import transaction
from pyramid.exceptions import ConfigurationError
from pyramid.i18n import TranslationString, make_localizer
from pyramid.interfaces import ITranslationDirectories
from repoze.sendmail.delivery import QueuedMailDelivery
from repoze.sendmail.mailer import SMTPMailer
from repoze.sendmail.queue import QueueProcessor

log = logging.getLogger(__name__)

DEFAULTS = {
    "mail.host": "localhost",
    "mail.port": "25",
    "mail.username": "",
    "mail.password": "",
    "mail.tls": "starttls",
    "mail.default_sender": "portal@localhost",
    "mail.queue_interval": "10",
}
TLS_MODES = ("none", "starttls", "ssl")
QUEUE_FOLDER = "mail-queue"


def _setting(settings, name):
    value = settings.get(name)
    return DEFAULTS[name] if value is None else str(value).strip()


def queue_path(settings):
    """The Maildir folder of the queue: ``mail.queue_path``, else ``mail-queue`` beside the
    FileStorage of ``zodbconn.uri``; other storages must set ``mail.queue_path``."""
    configured = (settings.get("mail.queue_path") or "").strip()
    if configured:
        return Path(configured)
    uri = settings.get("zodbconn.uri", "")
    if uri.startswith("file://"):
        return Path(urlsplit(uri).path).parent / QUEUE_FOLDER
    raise ConfigurationError(
        "mail.queue_path is not set and zodbconn.uri is not a file:// URI: set mail.queue_path "
        "to a folder on a disk every application process shares")


# building and queueing ------------------------------------------------------------------

def _one_line(text):
    """``text`` without line breaks (no header can be forged through it)."""
    return " ".join(str(text).split())


def build_message(registry, to_addresses, subject, body_text, lang=None):
    """An ``EmailMessage``: UTF-8 text, From the default sender, dated by the portal's clock."""
    sender = _setting(registry.settings, "mail.default_sender")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to_addresses)
    message["Subject"] = _one_line(subject)
    message["Date"] = format_datetime(registry.portal_clock.now())
    message["Message-ID"] = f"<{registry.portal_random.token(16)}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    # Quoted-printable keeps the file ASCII (repoze.sendmail encodes messages as ASCII).
    message.set_content(str(body_text), charset="utf-8", cte="quoted-printable")
    if lang:  # after set_content, which drops every Content-* header
        message["Content-Language"] = lang
    return message


def _for_queue(message):
    """``message`` as the classic (compat32) ``Message`` repoze.sendmail's header clean-up
    expects (it folds headers with line breaks, which ``EmailMessage`` refuses)."""
    return _keep_declared_charset(message_from_bytes(message.as_bytes(), policy=compat32))


def _keep_declared_charset(message):
    """Make the message remember the charset its Content-Type declares.

    repoze.sendmail's ``cleanup_message`` relabels a text part whose charset the message
    object does not know (any message built with ``set_content`` or read back from the queue)
    after its encoded, pure-ASCII payload: UTF-8 text would go out declared ``us-ascii``.
    """
    for part in message.walk():
        declared = part.get_content_charset()
        if declared and not part.is_multipart() and part.get_charset() is None:
            part.set_charset(declared)
    return message


def _transaction_manager(request_or_registry):
    # pyramid_tm's explicit manager is the request's own, not the thread-local one.
    return getattr(request_or_registry, "tm", None) or transaction.manager


def send_mail(request_or_registry, to_addresses, subject, body_text, lang=None):
    """Queue a message in the current transaction (the request's, or the thread's for a
    registry); it leaves when the transaction commits, never when it aborts. ``to_addresses``
    is one address or a list; ``lang`` (optional) the Content-Language of the text. Returns
    the Message-ID."""
    registry = getattr(request_or_registry, "registry", request_or_registry)
    if isinstance(to_addresses, str):
        to_addresses = [to_addresses]
    recipients = [address for _name, address in getaddresses(list(to_addresses)) if address]
    if not recipients:
        raise ValueError("send_mail needs at least one recipient")
    message = build_message(registry, to_addresses, subject, body_text, lang)
    path = queue_path(registry.settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    delivery = QueuedMailDelivery(str(path), _transaction_manager(request_or_registry))
    envelope_from = parseaddr(message["From"])[1]
    return delivery.send(envelope_from, recipients, _for_queue(message))


def checked_public_url(settings):
    """``portal.public_url`` as an absolute http(s) address without a final slash, or a
    ConfigurationError saying what to set: links sent by mail never take the address a
    request's Host header claims (a forged one would send a reset link to another site)."""
    value = (settings.get("portal.public_url") or "").strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment:
        raise ConfigurationError(
            f"portal.public_url must be the portal's public address, such as "
            f"https://thainguyen.dcs.vn (it is {value!r}): links in e-mails (password "
            f"reset, review notices) start with it, never with a request's Host header")
    return value


def public_url(request, *elements, query=None):
    """An absolute address of the site for a message, from ``portal.public_url`` alone."""
    url = "/".join([request.registry.settings["portal.public_url"], *elements])
    return f"{url}?{urlencode(query)}" if query else url


# languages ------------------------------------------------------------------------------

def localizer_for(registry, lang):
    """A Pyramid localizer for ``lang`` (the default language when it is not offered)."""
    settings = registry.settings
    if lang not in settings.get("portal.available_languages", "vi en").split():
        lang = settings.get("pyramid.default_locale_name", "vi")
    cache = registry.__dict__.setdefault("_portal_localizers", {})
    localizer = cache.get(lang)
    if localizer is None:
        dirs = registry.queryUtility(ITranslationDirectories, default=[])
        localizer = cache[lang] = make_localizer(lang, dirs)
    return localizer


def translate(registry, lang, msg):
    """``msg`` (a TranslationString, or plain text) in the language ``lang``."""
    if not isinstance(msg, TranslationString):
        return str(msg)
    return localizer_for(registry, lang).translate(msg)


# delivery -------------------------------------------------------------------------------

class _VerifyingSMTP(smtplib.SMTP):
    """STARTTLS that checks the server's certificate (smtplib's default does not)."""

    def starttls(self, *args, **kwargs):
        kwargs.setdefault("context", ssl.create_default_context())
        return super().starttls(*args, **kwargs)


def smtp_mailer(settings):
    """repoze.sendmail's ``SMTPMailer`` for the ``mail.*`` settings."""
    tls = _setting(settings, "mail.tls").lower()
    if tls not in TLS_MODES:
        raise ConfigurationError(f"mail.tls must be one of {', '.join(TLS_MODES)}, not {tls!r}")
    mailer = SMTPMailer(
        hostname=_setting(settings, "mail.host"), port=int(_setting(settings, "mail.port")),
        username=_setting(settings, "mail.username") or None,
        password=_setting(settings, "mail.password") or None,
        no_tls=tls == "none", force_tls=tls == "starttls", ssl=tls == "ssl")
    mailer.smtp = _VerifyingSMTP
    mailer.smtp_ssl = partial(smtplib.SMTP_SSL, context=ssl.create_default_context())
    return mailer


class _WatchingMailer:
    """Wraps the SMTP mailer: counts what was sent and notices a failure that leaves the
    message queued (anything but a permanent 5xx refusal)."""

    def __init__(self, mailer):
        self.mailer = mailer
        self.sent = 0
        self.failed = False

    def send(self, fromaddr, toaddrs, message):
        try:
            self.mailer.send(fromaddr, toaddrs, _keep_declared_charset(message))
        except smtplib.SMTPResponseException as exc:
            self.failed = not 500 <= exc.smtp_code <= 599
            raise
        except Exception:
            self.failed = True
            raise
        self.sent += 1


class _Processor(QueueProcessor):
    """repoze.sendmail's queue processor, made safe for retrying after an outage.

    Its own pass, when a send fails, leaves the ``.sending-<name>`` link that marks a message
    as being sent: the message would wait three hours, and the next pass would send the link
    as a message of its own and then the message again (a duplicate). Here names starting
    with a dot are never messages, the link of a failed attempt is removed, and a pass stops
    at the first failure (the server is down: the rest would each wait for the timeout).
    """

    def send_messages(self):
        for filename in self.maildir:
            if os.path.basename(filename).startswith("."):
                continue
            self.mailer.failed = False
            self._send_message(filename)
            if self.mailer.failed:
                head, tail = os.path.split(filename)
                try:
                    os.remove(os.path.join(head, ".sending-" + tail))
                except FileNotFoundError:
                    pass
                return False
        return True


def queued_count(settings):
    """How many messages wait in the queue."""
    path = queue_path(settings)
    return sum(1 for folder in ("new", "cur") if (path / folder).is_dir()
               for entry in (path / folder).iterdir() if not entry.name.startswith("."))


def deliver_queued(settings):
    """One delivery pass over the queue; returns how many messages were sent. When the SMTP
    server cannot be reached the messages stay queued (and the pass says so in the log)."""
    path = queue_path(settings)
    if not (path / "new").is_dir():
        return 0
    mailer = _WatchingMailer(smtp_mailer(settings))
    finished = _Processor(mailer, str(path)).send_messages()
    if mailer.sent:
        log.info("mail queue: %d message(s) sent", mailer.sent)
    if not finished:
        log.warning("mail queue: the SMTP server %s:%s did not take a message; %d message(s) "
                    "wait for the next pass", _setting(settings, "mail.host"),
                    _setting(settings, "mail.port"), queued_count(settings))
    return mailer.sent


def start_delivery_thread(settings, interval=None):
    """A daemon thread running ``deliver_queued`` now and every ``mail.queue_interval``
    seconds; returns ``(thread, stop_event)`` (set the event to end it)."""
    if interval is None:
        interval = float(_setting(settings, "mail.queue_interval"))
    queue_path(settings)  # a missing setting fails now, not in the thread
    stop = threading.Event()

    def run():
        log.info("mail queue: delivering every %s s", interval)
        while not stop.is_set():
            try:
                deliver_queued(settings)
            except Exception:
                log.exception("mail queue: the delivery pass failed")
            stop.wait(interval)

    thread = threading.Thread(target=run, name="mail-queue", daemon=True)
    thread.start()
    return thread, stop


def includeme(config):
    settings = config.get_settings()
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    settings.setdefault("portal.reset_link_lifetime", "3600")
    queue_path(settings)  # fail at start-up when the queue has no place
    settings["portal.public_url"] = checked_public_url(settings)
    smtp_mailer(settings)
