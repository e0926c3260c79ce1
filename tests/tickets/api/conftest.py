"""Tickets for the API tests, made through ingest so they have a customer, an address and a message."""

import itertools

import pytest

from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest, update_ticket

_ids = itertools.count(1)


@pytest.fixture
def make_ticket(admin_ada):
    """make_ticket(team=..., sender=..., subject=...) -> a new e-mail ticket, optionally routed to a team."""

    def make(*, team=None, sender="pat@example.org", subject="Printer on fire", text="It is on fire."):
        message = InboundMessage(
            channel=Channel.EMAIL,
            external_id=f"<api-{next(_ids)}@example.org>",
            sender_address=sender,
            sender_name="Pat Doe",
            subject=subject,
            text=text,
        )
        ticket = ingest(message).ticket
        if team is not None:
            update_ticket(ticket=ticket, by=admin_ada, team=team)
            ticket.refresh_from_db()
        return ticket

    return make


@pytest.fixture
def support_ticket(make_ticket, team_support):
    """Support's ticket: alice, bob and lena see it; carl (Billing) must not."""
    return make_ticket(team=team_support, subject="Support question")
