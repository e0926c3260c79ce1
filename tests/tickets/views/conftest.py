import pytest

from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest, update_ticket


@pytest.fixture
def support_ticket(agent_alice, team_support):
    """An e-mail ticket from Pat, routed to Support."""
    ticket = ingest(
        InboundMessage(
            channel=Channel.EMAIL,
            external_id="<pat-1@example.org>",
            sender_address="pat@example.org",
            sender_name="Pat Doe",
            subject="Printer on fire",
            text="It is on fire.",
        )
    ).ticket
    return update_ticket(ticket=ticket, by=agent_alice, team=team_support)


@pytest.fixture
def make_tickets(db):
    def make(n: int, prefix: str = "bulk"):
        for i in range(n):
            ingest(
                InboundMessage(
                    channel=Channel.SMS if i % 2 else Channel.EMAIL,
                    external_id=f"{prefix}-{i}",
                    sender_address=f"+1415555{i:04d}" if i % 2 else f"c{i}@example.org",
                    subject=f"Issue {i}",
                    text="help",
                )
            )

    return make
