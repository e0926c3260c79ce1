"""Everything that changes a ticket or a message goes through these functions."""

from tickets.services.acknowledge import acknowledge
from tickets.services.delivery import deliver, resend_due_messages
from tickets.services.ingest import (
    IngestError,
    IngestResult,
    ingest,
    ingest_many,
    retry_failed_inbound,
    store_failed_inbound,
)
from tickets.services.macros import render_macro
from tickets.services.merge import merge_tickets
from tickets.services.reply import reply
from tickets.services.update import update_ticket

__all__ = [
    "IngestError",
    "IngestResult",
    "acknowledge",
    "deliver",
    "ingest",
    "ingest_many",
    "merge_tickets",
    "render_macro",
    "reply",
    "resend_due_messages",
    "retry_failed_inbound",
    "store_failed_inbound",
    "update_ticket",
]
