"""Everything that changes a ticket or a message goes through these functions."""

from tickets.services import assign, automations, routing, sla, sla_mail
from tickets.services.acknowledge import acknowledge
from tickets.services.attachments import attach
from tickets.services.automatic import send_macro
from tickets.services.delivery import deliver, record_delivery_status, resend_due_messages
from tickets.services.ingest import (
    IngestError,
    IngestResult,
    ingest,
    ingest_many,
    mark_retried,
    retry_failed_inbound,
    store_failed_inbound,
)
from tickets.services.macros import render_macro
from tickets.services.merge import merge_tickets
from tickets.services.outreach import start_conversation
from tickets.services.reply import reply
from tickets.services.revisions import revise_inbound_text
from tickets.services.update import update_ticket

__all__ = [
    "assign",
    "IngestError",
    "IngestResult",
    "acknowledge",
    "attach",
    "automations",
    "deliver",
    "ingest",
    "ingest_many",
    "mark_retried",
    "merge_tickets",
    "record_delivery_status",
    "render_macro",
    "reply",
    "resend_due_messages",
    "retry_failed_inbound",
    "routing",
    "send_macro",
    "sla",
    "sla_mail",
    "revise_inbound_text",
    "start_conversation",
    "store_failed_inbound",
    "update_ticket",
]
