"""The one way an inbound message enters the helpdesk (see DESIGN.md, "The one path")."""

import dataclasses
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Subquery
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from customers.services import resolve_identity
from helpdesk.realtime import publish
from tickets import events, timeline
from tickets.inbound import CONVERSATIONAL, IDENTITY_KIND, InboundAttachment, InboundMessage
from tickets.models import Attachment, Direction, FailedInbound, Message, Status, Ticket, TicketEvent
from tickets.sanitize import clean_html

logger = logging.getLogger(__name__)

# Errors that say "try again later", not "this payload is bad": they are raised, not quarantined.
_TRANSIENT = (OperationalError, InterfaceError)


@dataclasses.dataclass(frozen=True)
class IngestResult:
    message: Message
    ticket: Ticket
    created_ticket: bool
    duplicate: bool


class IngestError(Exception):
    """The message could not be processed; it is kept raw in `failed` for an admin to retry."""

    def __init__(self, failed: FailedInbound):
        super().__init__(failed.error)
        self.failed = failed


def ingest(msg: InboundMessage) -> IngestResult:
    """Store an inbound message exactly once, on the right customer and ticket.

    Idempotent on (channel, external_id): a redelivery returns the message stored the first time.
    Anything that cannot be processed is stored raw (FailedInbound) and IngestError is raised.
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _ingest(msg)
        except IntegrityError:
            # The unique constraint, not a read before writing, is the dedupe (one query less on
            # the hot path): this message was stored before, or concurrently. Otherwise another
            # transaction created the sender's identity first, and a second try finds it.
            existing = _existing(msg)
            if existing:
                return IngestResult(existing, existing.ticket, created_ticket=False, duplicate=True)
            if attempt == 2:
                raise
        except _TRANSIENT:
            raise
        except Exception as exc:
            logger.warning("inbound %s message %s failed: %s", msg.channel, msg.external_id, exc)
            failed = store_failed_inbound(
                channel=msg.channel, external_id=msg.external_id, payload=msg.to_json(), error=_describe(exc)
            )
            raise IngestError(failed) from exc
    raise AssertionError("unreachable")


def store_failed_inbound(*, channel: str, external_id: str, payload: str, error: str, fmt: str = "inbound-json"):
    """Keep a payload we could not process, once per (channel, external id)."""
    if external_id:
        failed = FailedInbound.objects.filter(channel=channel, external_id=external_id, state="failed").first()
        if failed:
            failed.error, failed.attempts = error, failed.attempts + 1
            failed.save(update_fields=["error", "attempts", "updated_at"])
            return failed
    return FailedInbound.objects.create(
        channel=channel, external_id=external_id[:255], payload=payload, payload_format=fmt, error=error
    )


def _describe(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    return "; ".join(messages) if messages else f"{type(exc).__name__}: {exc}"


def _existing(msg: InboundMessage) -> Message | None:
    if not msg.external_id:
        return None
    return Message.objects.select_related("ticket").filter(channel=msg.channel, external_id=msg.external_id).first()


def _ingest(msg: InboundMessage) -> IngestResult:
    if msg.channel not in IDENTITY_KIND:
        raise ValueError(f"Unknown channel {msg.channel!r}.")
    if not msg.external_id:
        raise ValueError("The message has no external id, so it cannot be deduplicated.")
    identity = resolve_identity(kind=IDENTITY_KIND[msg.channel], address=msg.sender_address, name=msg.sender_name)
    customer = identity.customer
    now = timezone.now()
    at = min(msg.timestamp, now) if msg.timestamp else now

    ticket = _thread(msg, customer, now)
    created = ticket is None
    event_rows: list[TicketEvent] = []
    if created:
        ticket = Ticket.objects.create(
            subject=(msg.subject or _subject_from(msg.text))[:255],
            channel=msg.channel,
            customer=customer,
            language=customer.language,
            conversation_id=msg.conversation_id[:255],
            created_at=at,
            updated_at=now,
            last_customer_message_at=at,
            last_message_at=at,
        )
        event_rows.append(timeline.ticket_created_event(ticket=ticket))
    else:
        event_rows += _reopen_on_reply(ticket, at, now)

    message = Message.objects.create(
        ticket=ticket,
        direction=Direction.IN,
        channel=msg.channel,
        author_customer=customer,
        address=identity.address,
        subject=msg.subject[:255],
        body_text=msg.text,
        body_html=clean_html(msg.html),
        external_id=msg.external_id[:255],
        created_at=at,
    )
    if msg.attachments:
        _store_attachments(message, msg.attachments)
    event_rows.append(timeline.message_added_event(message=message))
    TicketEvent.objects.bulk_create(event_rows)

    kind = "ticket.created" if created else "ticket.message"
    summary = f"{customer} wrote on {message.get_channel_display()}"
    publish(events.groups_for(ticket), events.ticket_changed(ticket, type=kind, summary=summary))
    return IngestResult(message, ticket, created_ticket=created, duplicate=False)


def _subject_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line[:80] or "(no subject)"


def _thread(msg: InboundMessage, customer, now) -> Ticket | None:
    """The ticket this message continues, locked for update; None for a new conversation.

    Order: reply headers, then conversation id, then (conversational channels) the customer's
    recently active ticket on the same channel. A closed ticket is never continued.
    """
    locked = Ticket.objects.select_for_update()
    ticket = None
    if msg.reply_to_ids:
        replied = Message.objects.filter(channel=msg.channel, external_id__in=list(msg.reply_to_ids)[-50:])
        ticket = locked.filter(pk=Subquery(replied.order_by("-id").values("ticket_id")[:1])).first()
    if ticket is None and msg.conversation_id:
        ticket = (
            locked.filter(channel=msg.channel, conversation_id=msg.conversation_id)
            .exclude(status=Status.CLOSED)
            .order_by("-id")
            .first()
        )
    if ticket is None and msg.channel in CONVERSATIONAL:
        window = now - timedelta(hours=settings.THREAD_WINDOW_HOURS)
        ticket = (
            locked.filter(customer=customer, channel=msg.channel, last_message_at__gte=window)
            .exclude(status=Status.CLOSED)
            .order_by("-created_at")
            .first()
        )
    # Follow merges to the surviving ticket.
    for _ in range(10):
        if ticket is None or not ticket.merged_into_id:
            break
        ticket = locked.filter(pk=ticket.merged_into_id).first()
    if ticket is not None and ticket.status == Status.CLOSED:
        return None
    return ticket


def _reopen_on_reply(ticket: Ticket, at, now) -> list[TicketEvent]:
    """A customer reply moves the ticket back to the agents: pending/solved become open."""
    old_status = ticket.status
    ticket.last_customer_message_at = max(filter(None, [ticket.last_customer_message_at, at]))
    ticket.last_message_at = max(filter(None, [ticket.last_message_at, at]))
    ticket.updated_at = now
    fields = ["last_customer_message_at", "last_message_at", "updated_at"]
    rows = []
    if old_status in (Status.PENDING, Status.SOLVED):
        ticket.status = Status.OPEN
        ticket.solved_at = None
        fields += ["status", "solved_at"]
        reason = "customer replied" if old_status == Status.PENDING else "reopened by customer reply"
        rows.append(timeline.status_changed_event(ticket=ticket, actor=None, old=old_status, reason=reason))
    ticket.save(update_fields=fields)
    return rows


def _store_attachments(message: Message, attachments: tuple[InboundAttachment, ...]) -> None:
    limit = settings.MAX_ATTACHMENT_BYTES
    for item in attachments:
        name = (item.filename or "attachment").replace("/", "_").replace("\\", "_")[-200:]
        attachment = Attachment(
            message=message,
            filename=name,
            content_type=item.content_type[:255] or "application/octet-stream",
            size=item.size,
        )
        if item.size > limit:
            attachment.refused_reason = (
                f"Not stored: {filesizeformat(item.size)} is over the {filesizeformat(limit)} limit."
            )
            attachment.save()
        else:
            attachment.file.save(name, ContentFile(item.content), save=True)


def retry_failed_inbound(failed: FailedInbound) -> IngestResult:
    """Run a stored failed payload through ingest again (admin action); marks it retried on success."""
    if failed.payload_format != "inbound-json":
        raise ValueError(f"No parser for stored {failed.payload_format!r} payloads.")
    result = ingest(InboundMessage.from_json(failed.payload))
    FailedInbound.objects.filter(pk=failed.pk).update(state=FailedInbound.State.RETRIED, message=result.message)
    return result
