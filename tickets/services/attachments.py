"""Files that arrive after their message (provider media fetched by a channel's task)."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

from helpdesk.realtime import publish
from tickets import events
from tickets.models import Attachment, Message


def attach(*, message_id: int, filename: str, content_type: str, content: bytes) -> Attachment:
    """Attach a downloaded file to a stored message, once per file name (a retried download is harmless).

    Over MAX_ATTACHMENT_BYTES the file is refused with the reason and the record is kept.
    """
    message = Message.objects.select_related("ticket").get(pk=message_id)
    name = (filename or "attachment").replace("/", "_").replace("\\", "_")[-200:]
    existing = message.attachments.filter(filename=name).first()
    if existing:
        return existing
    attachment = Attachment(
        message=message, filename=name, content_type=content_type[:255] or "application/octet-stream", size=len(content)
    )
    if len(content) > settings.MAX_ATTACHMENT_BYTES:
        attachment.refused_reason = refusal(len(content))
        attachment.save()
    else:
        attachment.file.save(name, ContentFile(content), save=True)
    ticket = message.ticket
    publish(
        [events.ticket_group(ticket.pk)],
        events.ticket_changed(ticket, type="ticket.message", summary=f"{name} arrived"),
    )
    return attachment


def refusal(size: int) -> str:
    """Why a file was not stored, in words that name the limit."""
    return f"Not stored: {filesizeformat(size)} is over the {filesizeformat(settings.MAX_ATTACHMENT_BYTES)} limit."
