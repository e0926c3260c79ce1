"""Messages the helpdesk writes by itself (acknowledgements, surveys): never a response, never answered."""

from django.db import transaction
from django.utils import timezone

from tickets import timeline
from tickets.models import Automatic, DeliveryStatus, Direction, Message, Ticket


def send_automatic(*, ticket: Ticket, channel: str, address: str, via: str, text: str) -> Message:
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
        delivery_status=DeliveryStatus.QUEUED,
        created_at=timezone.now(),
    )
    timeline.message_added_event(message=message).save()
    from tickets.tasks import send_message_task  # tasks import the services

    transaction.on_commit(lambda: send_message_task.delay(message.pk))
    return message
