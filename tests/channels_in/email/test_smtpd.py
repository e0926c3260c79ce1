"""The inbound SMTP server, over real sockets: mail is answered 250 only once it is stored."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from channels_in.email import smtpd
from channels_in.email.smtpd import InboundController, make_controller
from tests.channels_in.email.fixtures.transports.mails import BROKEN_ID, ORIGINAL_ID, load, plain
from tickets.models import FailedInbound, Message, Ticket

# The server stores mail from its own threads, so the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 50_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(settings) -> Iterator[InboundController]:
    settings.INBOUND_EMAIL_ADDRESSES = ["support@helpdesk.test", "*@help.example.com"]
    settings.INBOUND_EMAIL_MAX_BYTES = LIMIT
    controller = make_controller(host="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def send(server: InboundController, raw: bytes, *to: str) -> dict:
    """Deliver as a sending MTA would; returns the refused recipients (smtplib raises if all are)."""
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        return client.sendmail("bounces@example.org", list(to or ["support@helpdesk.test"]), raw)


def test_mail_to_an_accepted_address_becomes_a_ticket(server):
    refused = send(server, load("original.eml"))

    # The 250 came after the commit: the ticket is there the moment the sender hears "accepted".
    assert refused == {}
    message = Message.objects.get(direction="in")
    assert message.external_id == ORIGINAL_ID
    assert message.ticket.subject == "Printer on floor 3 prints blank pages"
    assert message.channel_address == "support@helpdesk.test"
    # Live mail is acknowledged, as an automatic message that no robot answers.
    ack = Message.objects.get(direction="out")
    assert ack.automatic == "auto-reply" and ack.address == message.address


def test_the_server_answers_with_message_accepted(server):
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo()
        client.mail("bounces@example.org")
        client.rcpt("Support@Helpdesk.test")
        code, reply = client.data(load("original.eml"))

    assert (code, reply) == (250, b"Message accepted")


def test_an_unknown_recipient_is_refused_at_rcpt(server):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(server, load("original.eml"), "sales@helpdesk.test")

    assert refused.value.recipients == {
        "sales@helpdesk.test": (550, b"5.1.1 <sales@helpdesk.test>: recipient not accepted here")
    }
    assert not Message.objects.exists()


def test_a_wildcard_domain_accepts_any_address_and_mixed_recipients_keep_the_good_ones(server):
    refused = send(server, load("original.eml"), "billing@help.example.com", "nobody@elsewhere.test")

    assert list(refused) == ["nobody@elsewhere.test"]
    assert Message.objects.filter(direction="in").count() == 1


def test_the_size_limit_is_advertised_and_a_declared_size_over_it_is_refused(server):
    big = plain(1, body="x" * 76 + "\r\n") + b"y" * 76 * 700 + b"\r\n"
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == str(LIMIT)
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("bounces@example.org", ["support@helpdesk.test"], big)

    assert (refused.value.smtp_code, refused.value.smtp_error) == (552, b"5.3.4 Message too big")
    assert not Message.objects.exists()


def test_a_mail_over_the_limit_without_a_declared_size_is_refused_after_data(server):
    body = ("z" * 76 + "\r\n") * 800
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo()
        client.mail("bounces@example.org")  # no SIZE=: the server only finds out while reading
        client.rcpt("support@helpdesk.test")
        code, reply = client.data(plain(2, body=body))

    assert (code, reply) == (552, b"5.3.4 Message too big")
    assert not Message.objects.exists()


def test_a_mail_delivered_twice_is_stored_once(server):
    send(server, load("original.eml"))
    send(server, load("original.eml"))  # the sender did not hear our 250 and retried

    assert Message.objects.filter(direction="in").count() == 1


def test_a_reply_threads_onto_the_ticket_of_the_mail_it_answers(server):
    send(server, load("original.eml"))
    send(server, load("reply.eml"))

    assert Ticket.objects.count() == 1
    assert Message.objects.filter(direction="in").count() == 2


def test_an_unparseable_mail_is_accepted_and_kept_raw(server):
    raw = load("broken.eml")

    refused = send(server, raw)

    assert refused == {}
    failed = FailedInbound.objects.get()
    assert failed.external_id == BROKEN_ID
    assert failed.payload.encode("latin-1") == raw
    assert not Message.objects.exists()


def test_a_database_error_asks_the_sender_to_try_again(server, monkeypatch):
    def database_down(raws):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(smtpd, "ingest_raw_mails", database_down)

    with pytest.raises(smtplib.SMTPDataError) as error:
        send(server, load("original.eml"))

    assert (error.value.smtp_code, error.value.smtp_error) == (451, b"4.3.0 Try again later")


def test_the_command_needs_addresses(settings):
    settings.INBOUND_EMAIL_ADDRESSES = []

    with pytest.raises(CommandError, match="INBOUND_EMAIL_ADDRESSES"):
        call_command("smtp_server", "--port", str(free_port()))


def test_the_command_serves_until_sigterm(tmp_path):
    """As under `docker compose`: the server answers, and `docker stop` (SIGTERM) ends it cleanly."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "INBOUND_EMAIL_ADDRESSES": "support@helpdesk.test",
        "PYTHONUNBUFFERED": "1",  # as in the Docker image: the start-up line arrives at once
    }
    manage = Path(__file__).resolve().parents[3] / "manage.py"
    process = subprocess.Popen(
        [sys.executable, str(manage), "smtp_server", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "accepting mail for support@helpdesk.test" in process.stdout.readline()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.ehlo()
            client.mail("bounces@example.org")
            assert client.rcpt("support@helpdesk.test")[0] == 250
            assert client.rcpt("nobody@helpdesk.test")[0] == 550
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        process.kill()
