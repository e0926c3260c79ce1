"""Read paths of the phone channel: what the ticket page's phone panel shows, in constant queries."""

import dataclasses

from channels_in.phone.models import Call, CallbackRequest
from customers.models import Identity, IdentityKind
from tickets.models import Ticket

# Calls shown on one ticket; a ticket with more links to the admin's list.
PANEL_CALLS = 20


@dataclasses.dataclass(frozen=True)
class PhonePanel:
    calls: list[Call]
    callbacks: list[CallbackRequest]
    customer_number: str


def phone_panel_for(ticket: Ticket) -> PhonePanel:
    """The calls on a ticket, its open call-backs and the customer's newest number (three queries).

    Calls are found through their message too, so they follow the message when tickets are merged.
    """
    calls = list(
        Call.objects.filter(message__ticket=ticket)
        .select_related("logged_by")
        .order_by("-created_at", "-id")[:PANEL_CALLS]
    )
    callbacks = list(
        CallbackRequest.objects.filter(ticket=ticket, done_at__isnull=True)
        .select_related("requested_by")
        .order_by("due_at", "created_at", "id")
    )
    number = (
        Identity.objects.filter(customer_id=ticket.customer_id, kind=IdentityKind.PHONE)
        .order_by("-created_at")
        .values_list("address", flat=True)
        .first()
    )
    return PhonePanel(calls=calls, callbacks=callbacks, customer_number=number or "")
