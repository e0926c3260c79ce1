"""The acknowledgement auto-reply a customer gets when their e-mail opens a ticket."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string

from tickets.locks import tickets_for_update
from tickets.models import Automatic, Channel, Direction, Message
from tickets.services.automatic import send_automatic


def acknowledge(*, ticket_id: int) -> Message | None:
    """Queue the acknowledgement of a new e-mail ticket, once; None when none is due.

    Never to machine-sent mail, and at most EMAIL_ACKNOWLEDGE_PER_HOUR per address, so that the
    helpdesk and another auto-responder cannot write to each other forever (RFC 3834). Locks the
    ticket, so a redelivered task finds the acknowledgement already written.
    """
    if not settings.EMAIL_ACKNOWLEDGE:
        return None
    with transaction.atomic():
        (ticket,) = tickets_for_update(ticket_id)
        messages = ticket.messages.order_by("created_at", "id")
        first = messages.filter(direction=Direction.IN).first()
        if first is None or first.automatic or first.channel != Channel.EMAIL:
            return None
        if messages.filter(direction=Direction.OUT, automatic=Automatic.AUTO_REPLY).exists():
            return None
        address = first.reply_to or first.address
        key = f"acknowledge:{address}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > settings.EMAIL_ACKNOWLEDGE_PER_HOUR:
            return None
        context = {"customer_name": ticket.customer.name, "number": ticket.pk, "subject": ticket.subject}
        text = render_to_string("email/acknowledgement.txt", context).strip()
        message = send_automatic(
            ticket=ticket, channel=Channel.EMAIL, address=address, via=first.channel_address, text=text
        )
    return message
