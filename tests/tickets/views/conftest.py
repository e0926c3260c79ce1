import pytest

from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest


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
