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
    existing = message.attachments.filter(filename=safe_filename(filename)).first()
    if existing:
        return existing
    attachment = stored_file(message=message, filename=filename, content_type=content_type, content=content)
    attachment.save()
    ticket = message.ticket
    publish(
        [events.ticket_group(ticket.pk)],
        events.ticket_changed(ticket, type="ticket.message", summary=f"{attachment.filename} arrived"),
    )
    return attachment


def stored_file(
    *, message: Message, filename: str, content_type: str, content: bytes, size: int | None = None, content_id: str = ""
) -> Attachment:
    """An unsaved attachment row whose file is already in storage, or refused with the reason.

    `size` is what the sender declared when it exceeds the content read. Over MAX_ATTACHMENT_BYTES
    nothing is stored but the record, so the message still says what was sent.
    """
    size = max(size or 0, len(content))
    name = safe_filename(filename)
    attachment = Attachment(
        message=message,
        filename=name,
        content_type=content_type[:255] or "application/octet-stream",
        size=size,
        content_id=content_id[:255],
    )
    if size > settings.MAX_ATTACHMENT_BYTES:
        limit = filesizeformat(settings.MAX_ATTACHMENT_BYTES)
        attachment.refused_reason = f"Not stored: {filesizeformat(size)} is over the {limit} limit."
    else:
        attachment.file.save(name, ContentFile(content), save=False)
    return attachment


def safe_filename(filename: str) -> str:
    """No path separators (the storage path is ours), and a length storage accepts."""
    return (filename or "attachment").replace("/", "_").replace("\\", "_")[-200:]
