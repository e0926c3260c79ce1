"""Mail the helpdesk sends, as a real SMTP server receives it: threading, Cc, Reply-To, robots."""

import pytest

from tickets.inbound import InboundMessage
from tickets.models import Automatic, Channel, DeliveryStatus, Direction
from tickets.services import acknowledge, ingest, reply

pytestmark = pytest.mark.django_db


def inbound(external_id: str, **kw) -> InboundMessage:
    kw.setdefault("sender_address", "pat@example.org")
    kw.setdefault("subject", "Printer on fire")
    kw.setdefault("text", "Help")
    return InboundMessage(channel=Channel.EMAIL, external_id=external_id, **kw)


def test_reply_goes_to_reply_to_with_cc_and_threads_on_the_customers_last_mail(
    smtp_server, agent_alice, django_capture_on_commit_callbacks
):
    first = ingest(
        inbound("<c1@example.org>", reply_address="Pat Office <office@example.org>", cc_addresses=("sam@example.org",))
    )
    ingest(inbound("<c2@example.org>", reply_to_ids=("<c1@example.org>",)))

    with django_capture_on_commit_callbacks(execute=True):
        message = reply(ticket=first.ticket, author=agent_alice, text="On it.\n\nAlice")

    (sent,) = smtp_server.messages
    assert sent["To"] == "pat@example.org"  # the newest mail had no Reply-To
    assert sent["Cc"] == "sam@example.org"
    assert sent["In-Reply-To"] == "<c2@example.org>"
    assert sent["References"] == "<c1@example.org> <c2@example.org>"
    assert f"[#{first.ticket.pk}]" in sent["Subject"]
    assert "Auto-Submitted" not in sent
    assert sent.get_content_type() == "multipart/alternative"
    assert "<p>On it.</p>" in sent.get_payload()[1].get_payload()
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT


def test_reply_honours_reply_to(smtp_server, agent_alice, django_capture_on_commit_callbacks):
    first = ingest(inbound("<c1@example.org>", reply_address="office@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket=first.ticket, author=agent_alice, text="On it.")
    assert smtp_server.messages[0]["To"] == "office@example.org"


def test_new_mail_ticket_is_acknowledged_once_as_an_automatic_message(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(inbound("<c1@example.org>", acknowledge=True))
    acknowledge(ticket_id=result.ticket.pk)  # a redelivered task

    (sent,) = smtp_server.messages
    assert sent["Auto-Submitted"] == "auto-replied"
    assert f"ticket #{result.ticket.pk}" in sent.get_payload()[0].get_payload()
    ack = result.ticket.messages.get(direction=Direction.OUT)
    assert ack.automatic == Automatic.AUTO_REPLY
    result.ticket.refresh_from_db()
    assert result.ticket.first_response_at is None  # a robot's answer is not a response


@pytest.mark.parametrize(
    "kw",
    [
        {"automatic": Automatic.AUTO_REPLY},  # never answer a robot
        {"automatic": Automatic.BULK},
        {},  # the transport did not ask (an import)
    ],
)
def test_no_acknowledgement_when_it_could_start_a_mail_loop(smtp_server, django_capture_on_commit_callbacks, kw):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(inbound("<c1@example.org>", acknowledge="automatic" in kw, **kw))
    assert smtp_server.messages == []


def test_acknowledgements_per_address_are_limited(smtp_server, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_ACKNOWLEDGE_PER_HOUR = 2
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            ingest(inbound(f"<c{i}@example.org>", subject=f"Storm {i}", acknowledge=True))
    assert len(smtp_server.messages) == 2
