"""Hand queued outbound messages to their channel's sender; retry with backoff; never drop one."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_in.base import SendError
from channels_in.registry import sender_for
from helpdesk.realtime import publish
from tickets import events, timeline
from tickets.models import DeliveryStatus, Message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A send that has not finished after this long belongs to a dead worker and is retried.
SENDING_TIMEOUT = timedelta(minutes=5)


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


def deliver(message_id: int) -> str:
    """Send one outbound message if it is still due; returns its delivery status afterwards.

    Claims the message with a conditional UPDATE, so two workers never send it at once.
    """
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRYING]
    ).update(
        delivery_status=DeliveryStatus.SENDING,
        send_attempts=F("send_attempts") + 1,
        next_attempt_at=now + SENDING_TIMEOUT,
    )
    if not claimed:
        return Message.objects.filter(pk=message_id).values_list("delivery_status", flat=True).first() or ""
    message = Message.objects.select_related("ticket").get(pk=message_id)
    try:
        provider_id = sender_for(message.channel).send(message)
    except SendError as exc:
        return _failed(message, str(exc), permanent=exc.permanent)
    except Exception as exc:
        logger.exception("sender for %s crashed on message %s", message.channel, message.pk)
        return _failed(message, f"{type(exc).__name__}: {exc}", permanent=False)
    Message.objects.filter(pk=message.pk).update(
        delivery_status=DeliveryStatus.SENT,
        external_id=provider_id[:255] or None,
        sent_at=timezone.now(),
        delivery_error="",
        next_attempt_at=None,
        meta=message.meta,  # what the sender noted (sent as SMS instead, a public post, ...)
    )
    return DeliveryStatus.SENT


def _failed(message: Message, error: str, *, permanent: bool) -> str:
    if permanent or message.send_attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(
                delivery_status=DeliveryStatus.FAILED, delivery_error=error, next_attempt_at=None, meta=message.meta
            )
            timeline.delivery_failed_event(message=message, error=error).save()
            ticket = message.ticket
            publish(
                events.groups_for(ticket),
                events.ticket_changed(
                    ticket, type="ticket.updated", summary=f"Reply on #{ticket.pk} could not be sent"
                ),
            )
        return DeliveryStatus.FAILED
    Message.objects.filter(pk=message.pk).update(
        delivery_status=DeliveryStatus.RETRYING,
        meta=message.meta,
        delivery_error=error,
        next_attempt_at=timezone.now() + backoff(message.send_attempts),
    )
    return DeliveryStatus.RETRYING


def mark_bounced(*, message_ids: list[int], reason: str) -> int:
    """Outbound messages a bounce reported as undeliverable become failed, with a timeline event.

    Runs in the caller's transaction (ingest of the bounce). Returns how many were marked.
    """
    bounced = list(
        Message.objects.select_related("ticket")
        .filter(pk__in=message_ids)
        .exclude(delivery_status=DeliveryStatus.FAILED)
        .order_by("pk")
    )
    if not bounced:
        return 0
    Message.objects.filter(pk__in=[m.pk for m in bounced]).update(
        delivery_status=DeliveryStatus.FAILED, delivery_error=reason[:2000], next_attempt_at=None
    )
    timeline.bulk_save([timeline.delivery_failed_event(message=m, error=reason) for m in bounced])
    for message in bounced:
        ticket = message.ticket
        summary = f"Reply on #{ticket.pk} bounced"
        publish(events.groups_for(ticket), events.ticket_changed(ticket, type="ticket.updated", summary=summary))
    return len(bounced)


# Provider delivery states (Twilio MessageStatus, Meta/Telegram receipts) -> ours. Only forward:
# a late "sent" callback never undoes "delivered".
_PROVIDER_STATES = {
    "queued": DeliveryStatus.SENT,
    "accepted": DeliveryStatus.SENT,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}
_ORDER = [DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]


def record_delivery_status(*, channel: str, external_id: str, status: str, error: str = "") -> Message | None:
    """Apply a provider's delivery report to the outbound message it is about (idempotent).

    Returns the message, or None for an unknown id or state (reports can outrun our own write).
    """
    ours = _PROVIDER_STATES.get(status.lower())
    message = (
        Message.objects.select_related("ticket")
        .filter(channel=channel, external_id=external_id, direction="out")
        .first()
    )
    if ours is None or message is None:
        return None
    current = message.delivery_status
    if current in _ORDER and _ORDER.index(current) >= _ORDER.index(ours):
        return message
    if ours == DeliveryStatus.FAILED:
        mark_bounced(message_ids=[message.pk], reason=error or f"The provider reported the message {status}.")
    else:
        Message.objects.filter(pk=message.pk).update(delivery_status=ours)
    message.refresh_from_db()
    return message


def resend_due_messages(limit: int = 500) -> list[int]:
    """Ids of messages whose retry is due, whose sender died mid-send, or whose task was lost."""
    now = timezone.now()
    due = Q(delivery_status__in=[DeliveryStatus.RETRYING, DeliveryStatus.SENDING], next_attempt_at__lte=now) | Q(
        delivery_status=DeliveryStatus.QUEUED, created_at__lte=now - timedelta(minutes=2)
    )
    ids = list(Message.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    # A stuck "sending" goes back to "retrying" so deliver() can claim it again.
    Message.objects.filter(pk__in=ids, delivery_status=DeliveryStatus.SENDING).update(
        delivery_status=DeliveryStatus.RETRYING
    )
    return ids
