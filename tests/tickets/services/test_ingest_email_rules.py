"""What ingest does with e-mail's extra hints: quoted ticket numbers, Cc, closed tickets, robots."""

import pytest

from customers.models import Customer
from tickets.inbound import InboundMessage
from tickets.models import Automatic, Channel, DeliveryStatus, Direction, Message, Status
from tickets.services import ingest, update_ticket

pytestmark = pytest.mark.django_db


def mail(external_id: str, sender: str = "pat@example.org", **kw) -> InboundMessage:
    kw.setdefault("subject", "Printer on fire")
    kw.setdefault("text", "It is on fire.")
    return InboundMessage(channel=Channel.EMAIL, external_id=external_id, sender_address=sender, **kw)


def test_quoted_ticket_number_threads_for_the_customer_of_that_ticket():
    first = ingest(mail("<a@x>"))
    again = ingest(mail("<b@x>", subject=f"Re: [#{first.ticket.pk}] Printer", ticket_hint=first.ticket.pk))
    assert again.ticket.pk == first.ticket.pk


def test_quoted_ticket_number_of_someone_elses_ticket_is_ignored():
    victim = ingest(mail("<a@x>", sender="victim@example.org"))
    attacker = ingest(mail("<b@x>", sender="mallory@example.net", ticket_hint=victim.ticket.pk))

    assert attacker.created_ticket
    assert victim.ticket.messages.count() == 1


def test_people_on_cc_become_participants_and_may_write_to_the_ticket():
    first = ingest(mail("<a@x>", cc_addresses=("Sam@Example.org", "pat@example.org", "not an address")))

    assert list(first.ticket.cc.values_list("identities__address", flat=True)) == ["sam@example.org"]
    from_cc = ingest(mail("<b@x>", sender="sam@example.org", ticket_hint=first.ticket.pk))
    assert from_cc.ticket.pk == first.ticket.pk
    assert Customer.objects.count() == 2


def test_reply_to_closed_ticket_opens_a_linked_follow_up(agent_alice):
    first = ingest(mail("<a@x>"))
    update_ticket(ticket=first.ticket, by=agent_alice, status=Status.CLOSED)

    reply = ingest(mail("<b@x>", reply_to_ids=("<a@x>",)))

    assert reply.created_ticket
    assert reply.ticket.follow_up_of_id == first.ticket.pk


def test_reply_to_closed_ticket_can_reopen_it_instead(agent_alice, settings):
    settings.CLOSED_TICKET_REPLY = "reopen"
    first = ingest(mail("<a@x>"))
    update_ticket(ticket=first.ticket, by=agent_alice, status=Status.CLOSED)

    reply = ingest(mail("<b@x>", reply_to_ids=("<a@x>",)))

    reply.ticket.refresh_from_db()
    assert reply.ticket.pk == first.ticket.pk
    assert reply.ticket.status == Status.OPEN


def test_out_of_office_reply_is_filed_without_reopening(agent_alice):
    first = ingest(mail("<a@x>", text="Help", quoted_text="-- \nPat"))
    update_ticket(ticket=first.ticket, by=agent_alice, status=Status.SOLVED)

    ooo = ingest(mail("<b@x>", reply_to_ids=("<a@x>",), automatic=Automatic.AUTO_REPLY))

    ooo.ticket.refresh_from_db()
    assert ooo.ticket.pk == first.ticket.pk
    assert ooo.ticket.status == Status.SOLVED
    assert ooo.message.automatic == "auto-reply"
    assert first.message.body_quoted == "-- \nPat"


def test_out_of_office_reply_to_a_closed_ticket_is_filed_on_it(agent_alice):
    first = ingest(mail("<a@x>"))
    update_ticket(ticket=first.ticket, by=agent_alice, status=Status.CLOSED)

    ooo = ingest(mail("<b@x>", reply_to_ids=("<a@x>",), automatic=Automatic.AUTO_REPLY))

    ooo.ticket.refresh_from_db()
    assert ooo.ticket.pk == first.ticket.pk and not ooo.created_ticket
    assert ooo.ticket.status == Status.CLOSED


def test_bounce_marks_the_returned_reply_failed(agent_alice):
    first = ingest(mail("<a@x>"))
    sent = Message.objects.create(
        ticket=first.ticket,
        direction=Direction.OUT,
        channel=Channel.EMAIL,
        author_agent=agent_alice,
        address="pat@example.org",
        body_text="We are on it",
        external_id="<helpdesk-1-2@example.com>",
        delivery_status=DeliveryStatus.SENT,
        created_at=first.message.created_at,
    )

    bounce = ingest(
        mail(
            "<dsn@mx>",
            sender="mailer-daemon@mx.example.org",
            text="Delivery to pat@example.org failed: 550 5.1.1 user unknown",
            reply_to_ids=("<helpdesk-1-2@example.com>",),
            automatic=Automatic.BOUNCE,
        )
    )

    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.FAILED
    assert "550 5.1.1" in sent.delivery_error
    assert bounce.ticket.pk == first.ticket.pk
    assert first.ticket.events.filter(kind="delivery_failed").count() == 1


def test_new_ticket_goes_to_the_team_of_the_mailbox(team_support):
    result = ingest(mail("<a@x>", team_id=team_support.pk))
    assert result.ticket.team == team_support
