"""The tickets side of a customer merge (called by customers.services.merge_customers)."""

from tickets import timeline
from tickets.models import Message, Ticket, TicketEvent


def move_customer_tickets(*, source, target, by) -> list[int]:
    """Re-home every ticket and message of `source` on `target`, noting it on each ticket's timeline."""
    ticket_ids = list(Ticket.objects.filter(customer=source).values_list("pk", flat=True))
    Ticket.objects.filter(pk__in=ticket_ids).update(customer=target)
    Message.objects.filter(author_customer=source).update(author_customer=target)
    TicketEvent.objects.bulk_create(
        [
            timeline.customer_changed_event(ticket=Ticket(pk=pk, customer=target), actor=by, old_customer_id=source.pk)
            for pk in ticket_ids
        ]
    )
    return ticket_ids
