"""Tickets built at known times through the services, and the refresh that makes reports see them."""

import itertools
from datetime import UTC, date, datetime

from analytics.metrics import refresh_metrics
from analytics.models import TicketMetrics
from analytics.rollups import refresh_rollups
from tickets.inbound import InboundMessage
from tickets.models import Channel, Status, Ticket
from tickets.services import ingest, reply, update_ticket

FRIDAY_16 = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

_ids = itertools.count(1)


class Clock:
    """What timezone.now() returns in the services while the test runs."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Conversation:
    """One customer's ticket, written to and answered at the clock's times."""

    def __init__(self, clock: Clock, channel: str = Channel.EMAIL, sender: str = "pat@example.org"):
        self.clock, self.channel, self.sender = clock, channel, sender
        self.first_id = f"<c{next(_ids)}@example.org>"
        self.ticket: Ticket = ingest(self._message(self.first_id)).ticket

    def _message(self, external_id: str, reply_to: tuple[str, ...] = ()) -> InboundMessage:
        return InboundMessage(
            channel=self.channel,
            external_id=external_id,
            sender_address=self.sender,
            subject="Help",
            text="Help",
            timestamp=self.clock.at,
            reply_to_ids=reply_to,
        )

    def customer_writes(self, at: datetime) -> "Conversation":
        self.clock.at = at
        ingest(self._message(f"<c{next(_ids)}@example.org>", reply_to=(self.first_id,)))
        return self

    def agent_replies(self, agent, at: datetime, *, solve: bool = False) -> "Conversation":
        self.clock.at = at
        reply(ticket=self.ticket, author=agent, text="Done.", status=Status.SOLVED if solve else None)
        return self

    def agent_sets(self, agent, at: datetime, **changes) -> "Conversation":
        self.clock.at = at
        update_ticket(ticket=self.ticket, by=agent, **changes)
        return self

    def refreshed_metrics(self) -> TicketMetrics:
        refresh_metrics()
        return TicketMetrics.objects.get(ticket_id=self.ticket.pk)


def refreshed(*, days: int = 14, today: date | None = None) -> None:
    """Metrics brought up to date, then the roll-up of the last `days` days."""
    refresh_metrics()
    refresh_rollups(days=days, today=today)
