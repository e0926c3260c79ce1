import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from channels_in.registry import reply_channel
from helpdesk.models import User
from helpdesk.realtime import publish
from helpdesk.roles import can_reply_publicly, is_staff_member
from tickets import events, timeline
from tickets.inbound import IDENTITY_KIND
from tickets.locks import tickets_for_update
from tickets.models import Attachment, DeliveryStatus, Direction, Message, Status, Ticket, Visibility
from tickets.selectors import visible_tickets
from tickets.services import sla

# "@alice" in an internal note; usernames may hold letters, digits and @.+-_ (Django's rule).
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def reply(
    *,
    ticket: Ticket,
    author,
    text: str,
    internal: bool = False,
    status: str | None = None,
    attachments: list[UploadedFile] | tuple = (),
    meta: dict | None = None,
) -> Message:
    """Write an agent's reply or internal note; a public reply is sent on commit, on the ticket's channel.

    The message is stored first (delivery status `queued`) so a failed send is retried and stays
    visible; an internal note never leaves the helpdesk. Locks the ticket.
    `meta` carries channel options for the sender (e.g. a WhatsApp template).
    """
    if not is_staff_member(author) or (not internal and not can_reply_publicly(author)):
        raise PermissionDenied("You may add internal notes only.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something before sending."})
    if status is not None and status not in Status.values:
        raise ValidationError({"status": f"{status!r} is not a status."})
    for upload in attachments:
        if upload.size > settings.MAX_ATTACHMENT_BYTES:
            limit = filesizeformat(settings.MAX_ATTACHMENT_BYTES)
            raise ValidationError({"attachments": f"{upload.name} is larger than the {limit} limit."})

    channel = reply_channel(ticket.channel)
    address, via = ("", "") if internal else recipient(ticket, channel)
    with transaction.atomic():
        (ticket,) = tickets_for_update(ticket.pk)
        if ticket.merged_into_id:
            raise ValidationError(f"Ticket #{ticket.pk} was merged into #{ticket.merged_into_id}; answer there.")
        now = timezone.now()
        message = Message.objects.create(
            ticket=ticket,
            direction=Direction.OUT,
            channel=channel,
            visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
            author_agent=author,
            address=address,
            channel_address=via,
            body_text=text,
            delivery_status=DeliveryStatus.NONE if internal else DeliveryStatus.QUEUED,
            meta=meta or {},
            created_at=now,
        )
        for upload in attachments:
            Attachment(
                message=message,
                filename=upload.name[:255],
                size=upload.size,
                content_type=(upload.content_type or "application/octet-stream")[:255],
            ).file.save(upload.name, upload, save=True)
        rows = [timeline.message_added_event(message=message, actor=author)]
        fields = ["updated_at"]
        ticket.updated_at = now
        if not internal:
            ticket.last_message_at = ticket.last_agent_reply_at = now
            fields += ["last_message_at", "last_agent_reply_at"]
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                fields.append("first_response_at")
        new_status = status or (Status.OPEN if ticket.status == Status.NEW and not internal else None)
        if new_status and new_status != ticket.status:
            old = ticket.status
            ticket.status, ticket.status_changed_at = new_status, now
            ticket.solved_at = now if new_status == Status.SOLVED else None
            fields += ["status", "status_changed_at", "solved_at"]
            rows.append(timeline.status_changed_event(ticket=ticket, actor=author, old=old))
        ticket.save(update_fields=fields)
        timeline.TicketEvent.objects.bulk_create(rows)
        if not internal:
            from tickets.tasks import send_message_task

            transaction.on_commit(lambda: send_message_task.delay(message.pk))
            sla.reconcile_after_commit([ticket.pk])
        summary = f"{author.display_name} added {'a note' if internal else 'a reply'}"
        publish([events.ticket_group(ticket.pk)], events.ticket_changed(ticket, type="ticket.message", summary=summary))
        if internal:
            _notify_mentions(ticket, author, text)
    return message


def _notify_mentions(ticket: Ticket, author, text: str) -> None:
    """Tell each agent named with @username in an internal note, if they may see the ticket."""
    names = set(_MENTION.findall(text))
    if not names:
        return
    mentioned = User.objects.filter(username__in=names, is_active=True).exclude(pk=author.pk)
    groups = [events.agent_group(user.pk) for user in mentioned if visible_tickets(user).filter(pk=ticket.pk).exists()]
    if groups:
        summary = f"{author.display_name} mentioned you on #{ticket.pk}"
        publish(groups, events.ticket_changed(ticket, type="ticket.mention", summary=summary))


def recipient(ticket: Ticket, channel: str) -> tuple[str, str]:
    """Who the reply goes to, and from which of our addresses (the one the customer wrote to).

    To: the address the customer last wrote from (their Reply-To, if they gave one), else their
    newest address of the reply channel's kind.
    """
    last = (
        ticket.messages.filter(direction=Direction.IN, channel=ticket.channel, automatic="")
        .exclude(address="")
        .order_by("-created_at")
        .values_list("address", "reply_to", "channel_address")
        .first()
    )
    kind = IDENTITY_KIND.get(channel)
    via = last[2] if last and ticket.channel == channel else ""
    if last and IDENTITY_KIND.get(ticket.channel) == kind:
        address, reply_to, _ = last
        return reply_to or address, via
    address = (
        ticket.customer.identities.filter(kind=kind).order_by("-created_at").values_list("address", flat=True).first()
    )
    if not address:
        raise ValidationError(f"{ticket.customer} has no {channel} address, so a reply cannot be sent there.")
    return address, via
