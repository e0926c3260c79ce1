"""Provider details that arrive after an inbound message was stored (a voicemail's transcription)."""

from helpdesk.realtime import publish
from tickets import events
from tickets.models import Direction, Message


def revise_inbound_text(*, message_id: int, text: str, summary: str) -> Message:
    """Replace the text of a stored inbound message with a better one from the provider.

    Only the provider's own later version (a transcription for a voicemail placeholder); what a
    customer wrote is never edited. Agents watching the ticket are told.
    """
    message = Message.objects.select_related("ticket").get(pk=message_id, direction=Direction.IN)
    Message.objects.filter(pk=message_id).update(body_text=text)
    message.body_text = text
    ticket = message.ticket
    publish([events.ticket_group(ticket.pk)], events.ticket_changed(ticket, type="ticket.message", summary=summary))
    return message
