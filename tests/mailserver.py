"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1, on a free port."""
import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _SMTP(SMTP):
    line_length_limit = 64 * 1024      # read in __init__, as the StreamReader's limit


class _Controller(Controller):
    """aiosmtpd's controller with a larger line buffer: with the default (1001 bytes, also
    the StreamReader's limit) aiosmtpd refused any message over about 1000 bytes as "Line too
    long", whatever its lines. ``MailServer.longest_line`` keeps the RFC limit checked."""

    def factory(self):
        return _SMTP(self.handler, **self.SMTP_kwargs)


class MailServer:
    """Collects what it receives; ``stop()`` and ``start()`` simulate an outage on the same
    port. ``settings`` are the ``mail.*`` settings that send to it."""

    def __init__(self):
        self.port = free_port()
        self.received = []          # (envelope sender, recipients, parsed EmailMessage)
        self._lock = threading.Lock()
        self.controller = None
        self.longest_line = 0      # RFC 5321: at most 998 characters

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.longest_line = max([self.longest_line] + [
            len(line) for line in envelope.original_content.splitlines()])
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        with self._lock:
            return [message for _from, _to, message in self.received]

    @property
    def settings(self):
        return {"mail.host": "127.0.0.1", "mail.port": str(self.port), "mail.tls": "none",
                "mail.default_sender": "Cổng thông tin Tỉnh ủy <portal@tinhuy.example.vn>"}

    def start(self):
        self.controller = _Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mailserver():
    server = MailServer()
    server.start()
    yield server
    server.stop()
