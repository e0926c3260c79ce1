"""Conversations an agent starts: the helpdesk writes first, on a channel that can send."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from channels_in.registry import can_send
from helpdesk.roles import can_reply_publicly
from tickets import timeline
from tickets.inbound import IDENTITY_KIND
from tickets.models import Message, Status, Ticket
from tickets.services.reply import reply


def start_conversation(
    *, customer, channel: str, text: str, by, subject: str = "", meta: dict | None = None
) -> Message:
    """Open a ticket with an outbound message to `customer` on `channel`; it then waits on them.

    Refuses a channel the helpdesk cannot send on, a customer without an address of its kind, and
    an address that asked not to be messaged. The message is sent like any reply (queued, retried).
    """
    if not can_reply_publicly(by):
        raise PermissionDenied("Light agents cannot write to customers.")
    if channel not in IDENTITY_KIND or not can_send(channel):
        raise ValidationError({"channel": f"The helpdesk cannot start conversations on {channel}."})
    kind = IDENTITY_KIND[channel]
    identity = customer.identities.filter(kind=kind).order_by("-created_at").first()
    if identity is None:
        raise ValidationError({"channel": f"{customer} has no {kind} address to write to."})
    if identity.opted_out_at:
        raise ValidationError({"channel": f"{identity.address} asked not to be messaged (opted out)."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something before sending."})
    with transaction.atomic():
        now = timezone.now()
        ticket = Ticket.objects.create(
            subject=(subject.strip() or text.splitlines()[0])[:255],
            channel=channel,
            customer=customer,
            language=customer.language,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
            last_message_at=now,
        )
        timeline.ticket_created_event(ticket=ticket, actor=by).save()
        return reply(ticket=ticket, author=by, text=text, status=Status.PENDING, meta=meta)
