"""Outbound delivery through a real SMTP server: sent once, retried when down, failures visible."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from channels_in import registry
from tickets.inbound import InboundMessage
from tickets.models import Channel, DeliveryStatus, Message
from tickets.services import deliver, ingest, reply, resend_due_messages
from tickets.tasks import resend_due_messages_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_ticket():
    return ingest(
        InboundMessage(
            channel=Channel.EMAIL,
            external_id="<cust-1@example.org>",
            sender_address="pat@example.org",
            subject="Printer on fire",
            text="Help",
        )
    ).ticket


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_reply_is_sent_once_with_threading_headers(
    smtp_server, agent_alice, mail_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(ticket=mail_ticket, author=agent_alice, text="On it.")

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    (mail,) = smtp_server.messages
    assert mail["To"] == "pat@example.org"
    assert mail["Subject"] == f"Re: Printer on fire [#{mail_ticket.pk}]"
    assert mail["In-Reply-To"] == "<cust-1@example.org>"
    assert mail["Message-ID"] == message.external_id
    # Delivering again (a redelivered task) sends nothing more.
    assert deliver(message.pk) == DeliveryStatus.SENT
    assert len(smtp_server.messages) == 1


def test_webform_ticket_is_answered_by_email(smtp_server, agent_alice, django_capture_on_commit_callbacks):
    ticket = ingest(
        InboundMessage(channel=Channel.WEBFORM, external_id="wf-1", sender_address="quinn@example.org", text="?")
    ).ticket
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(ticket=ticket, author=agent_alice, text="Hello Quinn")
    assert message.channel == Channel.EMAIL
    assert smtp_server.messages[0]["To"] == "quinn@example.org"


def test_internal_note_never_leaves(smtp_server, agent_alice, mail_ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket=mail_ticket, author=agent_alice, text="secret", internal=True)
    assert smtp_server.messages == []


def test_server_down_then_back_is_retried_and_sent(smtp_server, settings, agent_alice, mail_ticket):
    up_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port()
    message = reply(ticket=mail_ticket, author=agent_alice, text="Try this")

    assert deliver(message.pk) == DeliveryStatus.RETRYING
    message.refresh_from_db()
    assert "Could not reach the mail server" in message.delivery_error
    assert message.next_attempt_at > timezone.now()

    settings.EMAIL_PORT = up_port
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert resend_due_messages_task() == 1  # the beat job re-dispatches it (eager here)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT and message.delivery_error == ""
    assert len(smtp_server.messages) == 1


def test_permanent_rejection_is_failed_and_on_the_timeline(smtp_server, agent_alice, mail_ticket):
    smtp_server.reject_rcpt = "550 5.1.1 No such user"
    message = reply(ticket=mail_ticket, author=agent_alice, text="Hello?")

    assert deliver(message.pk) == DeliveryStatus.FAILED
    message.refresh_from_db()
    assert "refused pat@example.org" in message.delivery_error
    assert mail_ticket.events.filter(kind="delivery_failed").exists()
    assert resend_due_messages() == []


def test_send_interrupted_by_a_dead_worker_is_picked_up_again(smtp_server, agent_alice, mail_ticket):
    message = reply(ticket=mail_ticket, author=agent_alice, text="Hi")
    Message.objects.filter(pk=message.pk).update(
        delivery_status=DeliveryStatus.SENDING, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert resend_due_messages() == [message.pk]
    assert deliver(message.pk) == DeliveryStatus.SENT


def test_channel_without_sender_fails_with_a_reason(agent_alice, monkeypatch):
    monkeypatch.delitem(registry._SENDERS, Channel.CHAT)
    ticket = ingest(
        InboundMessage(channel=Channel.CHAT, external_id="c1", sender_address="visitor-1", text="hello?")
    ).ticket
    message = reply(ticket=ticket, author=agent_alice, text="Hello")
    assert deliver(message.pk) == DeliveryStatus.FAILED
    message.refresh_from_db()
    assert message.delivery_error == "Sending on chat is not configured on this helpdesk."
