"""The mail machinery against a real SMTP server (aiosmtpd): queued at commit, nothing on
abort, kept through an outage and delivered exactly once afterwards."""
import threading
from pathlib import Path

import pytest
import transaction
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError

from portal.clock import FixedClock, SeededRandom
from portal.i18n import _
from portal.mail import (
    deliver_queued,
    queue_path,
    queued_count,
    send_mail,
    start_delivery_thread,
    translate,
)

from .conftest import T0

SUBJECT = "Thông báo: bài viết đã được duyệt"
BODY = "Kính gửi đồng chí Nguyễn Thị Hằng,\n\nBài “Hội nghị Ban Chấp hành Đảng bộ tỉnh” đã được " \
       "xuất bản.\n"


@pytest.fixture
def registry(tmp_path, mailserver):
    config = Configurator(settings=dict(
        mailserver.settings, **{"mail.queue_path": str(tmp_path / "mail-queue"),
                                "portal.available_languages": "vi en",
                                "portal.public_url": "https://thainguyen.dcs.vn",
                                "pyramid.default_locale_name": "vi"}))
    config.include("portal.clock")
    config.include("portal.i18n")
    config.include("portal.mail")
    config.commit()
    config.registry.portal_clock = FixedClock(T0)
    config.registry.portal_random = SeededRandom(3)
    return config.registry


def queue_files(registry):
    """Every file in the queue's folders, dot files included."""
    path = queue_path(registry.settings)
    return sorted(p.name for folder in ("new", "cur", "tmp") if (path / folder).is_dir()
                  for p in (path / folder).iterdir())


def queue_message(registry, to="hang.nt@tinhuy.example.vn"):
    with transaction.manager:
        return send_mail(registry, [to], SUBJECT, BODY)


def test_a_committed_message_arrives_with_its_vietnamese_text(registry, mailserver):
    message_id = queue_message(registry)
    assert mailserver.received == []              # queued, not sent by the transaction
    assert queued_count(registry.settings) == 1
    assert deliver_queued(registry.settings) == 1
    [(sender, recipients, message)] = mailserver.received
    assert sender == "portal@tinhuy.example.vn"
    assert recipients == ["hang.nt@tinhuy.example.vn"]
    assert message["Subject"] == SUBJECT
    assert message["From"] == "Cổng thông tin Tỉnh ủy <portal@tinhuy.example.vn>"
    assert message["To"] == "hang.nt@tinhuy.example.vn"
    assert message["Message-ID"] == message_id
    assert message["Date"] == "Tue, 24 Nov 2026 08:00:07 +0000"   # the injected clock
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().rstrip() == BODY.rstrip()
    assert mailserver.longest_line <= 998
    assert queue_files(registry) == []
    assert deliver_queued(registry.settings) == 0
    assert len(mailserver.received) == 1


def test_an_aborted_transaction_queues_nothing(registry, mailserver):
    transaction.begin()
    send_mail(registry, "hang.nt@tinhuy.example.vn", SUBJECT, BODY)
    transaction.abort()
    assert queue_files(registry) == []
    assert deliver_queued(registry.settings) == 0
    assert mailserver.received == []


def test_an_outage_keeps_the_message_and_it_arrives_once_afterwards(registry, mailserver):
    mailserver.stop()
    queue_message(registry)
    assert deliver_queued(registry.settings) == 0     # connection refused
    assert deliver_queued(registry.settings) == 0     # a second pass during the outage
    assert queued_count(registry.settings) == 1
    assert not [name for name in queue_files(registry) if name.startswith(".")]
    mailserver.start()                                # the same port again
    assert deliver_queued(registry.settings) == 1
    assert deliver_queued(registry.settings) == 0
    assert [m["Subject"] for m in mailserver.messages] == [SUBJECT]
    assert queue_files(registry) == []


def test_an_outage_stops_the_pass_at_the_first_message(registry, mailserver):
    mailserver.stop()
    for n in range(3):
        queue_message(registry, f"nguoi{n}@tinhuy.example.vn")
    assert deliver_queued(registry.settings) == 0
    assert queued_count(registry.settings) == 3
    mailserver.start()
    assert deliver_queued(registry.settings) == 3
    assert sorted(m["To"] for m in mailserver.messages) == [
        f"nguoi{n}@tinhuy.example.vn" for n in range(3)]


def test_the_delivery_thread_sends_what_is_queued(registry, mailserver):
    arrived = threading.Event()
    original = mailserver.handle_DATA

    async def handle_DATA(server, session, envelope):
        answer = await original(server, session, envelope)
        arrived.set()
        return answer

    mailserver.handle_DATA = handle_DATA
    queue_message(registry)
    thread, stop = start_delivery_thread(registry.settings, interval=60)
    try:
        assert arrived.wait(10)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive() and thread.daemon
    assert len(mailserver.received) == 1


def test_a_header_cannot_be_forged_through_the_subject(registry, mailserver):
    with transaction.manager:
        send_mail(registry, "a@tinhuy.example.vn", "Chào\r\nBcc: ke-gian@example.com", "Nội dung")
    deliver_queued(registry.settings)
    [(_sender, recipients, message)] = mailserver.received
    assert recipients == ["a@tinhuy.example.vn"] and message["Bcc"] is None
    assert message["Subject"] == "Chào Bcc: ke-gian@example.com"


def test_messages_are_translated_into_the_recipients_language(registry):
    assert translate(registry, "vi", _("Sign in")) == "Đăng nhập"
    assert translate(registry, "en", _("Sign in")) == "Sign in"
    assert translate(registry, "fr", _("Sign in")) == "Đăng nhập"     # not offered: default
    message = _("Hello ${name},", mapping={"name": "Hằng"})
    assert translate(registry, "en", message) == "Hello Hằng,"


def test_the_queue_sits_beside_the_file_storage_unless_set():
    settings = {"zodbconn.uri": "file:///srv/portal/var/Data.fs?blobstorage_dir=/srv/b"}
    assert queue_path(settings) == Path("/srv/portal/var/mail-queue")
    assert queue_path(dict(settings, **{"mail.queue_path": "/q"})) == Path("/q")
    with pytest.raises(ConfigurationError, match="mail.queue_path"):
        queue_path({"zodbconn.uri": "zeo://localhost:8100"})


def test_a_wrong_tls_setting_fails_at_start_up(tmp_path):
    config = Configurator(settings={"mail.queue_path": str(tmp_path), "mail.tls": "yes",
                                    "portal.public_url": "https://thainguyen.dcs.vn"})
    with pytest.raises(ConfigurationError, match="mail.tls"):
        config.include("portal.mail")
