"""Row locks on tickets, always taken in primary-key order so two services never deadlock."""

from django.db.models import QuerySet

from tickets.models import Ticket


def tickets_for_update(*ticket_ids: int) -> list[Ticket]:
    """Lock and return the tickets, ordered by pk. Must run inside a transaction."""
    qs: QuerySet[Ticket] = Ticket.objects.select_for_update().filter(pk__in=ticket_ids).order_by("pk")
    return list(qs)
