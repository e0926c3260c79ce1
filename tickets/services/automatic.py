"""Messages the helpdesk writes by itself (acknowledgements, surveys): never a response, never answered."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from channels_in.registry import reply_channel
from tickets import timeline
from tickets.locks import tickets_for_update
from tickets.models import Automatic, DeliveryStatus, Direction, Macro, Message, Ticket
from tickets.services.macros import render_macro
from tickets.services.reply import recipient


def send_automatic(
    *, ticket: Ticket, channel: str, address: str, via: str, text: str, meta: dict | None = None
) -> Message:
    """Queue a machine-written message to the customer on the ticket; it is sent on commit.

    Marked as an auto-reply: it does not count as a response for SLAs, e-mail carries
    Auto-Submitted, and robots do not answer it. Must run in a transaction, with the ticket locked.
    """
    message = Message.objects.create(
        ticket=ticket,
        direction=Direction.OUT,
        channel=channel,
        automatic=Automatic.AUTO_REPLY,
        address=address,
        channel_address=via,
        body_text=text,
        meta=meta or {},
        delivery_status=DeliveryStatus.QUEUED,
        created_at=timezone.now(),
    )
    timeline.message_added_event(message=message).save()
    from tickets.tasks import send_message_task  # tasks import the services

    transaction.on_commit(lambda: send_message_task.delay(message.pk))
    return message


def send_macro(*, ticket_id: int, macro_id: int, key: str) -> Message | None:
    """Send a macro to the customer for a rule or automation, once per `key` (a task retried after
    the commit finds the message it wrote). None when there is nothing to send or nobody to send to."""
    with transaction.atomic():
        (ticket,) = tickets_for_update(ticket_id)
        macro = Macro.objects.filter(pk=macro_id, active=True).first()
        if macro is None or ticket.merged_into_id or ticket.messages.filter(meta__macro_key=key).exists():
            return None
        channel = reply_channel(ticket.channel)
        try:
            address, via = recipient(ticket, channel)
        except ValidationError:
            return None
        # Signed by the assignee if there is one, else by the team ({{ agent.name }} in the macro).
        team = ticket.team.name if ticket.team else "Support"
        agent = ticket.assignee or SimpleNamespace(display_name=team, first_name=team)
        text = render_macro(macro=macro, ticket=ticket, agent=agent)
        meta = {"macro_key": key, "macro": macro.name}
        return send_automatic(ticket=ticket, channel=channel, address=address, via=via, text=text, meta=meta)
