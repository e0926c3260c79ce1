"""Read paths: which tickets a person may see, and the querysets behind each list."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from helpdesk.roles import Role, is_staff_member, role_of
from tickets.models import Attachment, Ticket, TicketEvent


def visible_tickets(user) -> QuerySet[Ticket]:
    """Admins see every ticket; agents and light agents see their teams', their own and unrouted ones.

    Anyone else (customers, anonymous) sees none here: the customer portal has its own selector.
    """
    role = role_of(user)
    if role == Role.ADMIN:
        return Ticket.objects.all()
    if not is_staff_member(user):
        return Ticket.objects.none()
    team_ids = list(user.teams.values_list("pk", flat=True))
    return Ticket.objects.filter(Q(team__isnull=True) | Q(team__in=team_ids) | Q(assignee=user))


def queue_list(user) -> QuerySet[Ticket]:
    """Rows of the queue and of GET /api/v1/tickets/, with what each row shows, in constant queries."""
    return (
        visible_tickets(user)
        .select_related("customer", "assignee", "team")
        .prefetch_related("tags")
        .filter(merged_into__isnull=True)
    )


def ticket_get_for(user, number: int) -> Ticket:
    """The ticket if `user` may see it; 404 otherwise, so ids reveal nothing."""
    ticket = (
        visible_tickets(user)
        .select_related("customer__organization", "assignee", "team", "merged_into")
        .filter(pk=number)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def messages_for(ticket: Ticket) -> QuerySet:
    """A ticket's messages, oldest first, with authors and attachments in constant queries."""
    return ticket.messages.select_related("author_agent", "author_customer").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )


def timeline_for(ticket: Ticket, *, include_internal: bool = True) -> list:
    """Messages and events of a ticket, oldest first, merged into one list for the timeline."""
    messages = messages_for(ticket)
    if not include_internal:
        messages = messages.filter(visibility="public")
    items: list = list(messages)
    items += list(ticket.events.exclude(kind=TicketEvent.Kind.MESSAGE_ADDED).select_related("actor"))
    return sorted(items, key=lambda item: (item.created_at, isinstance(item, TicketEvent), item.pk))


def customer_tickets_for(user, customer) -> QuerySet[Ticket]:
    return queue_list(user).filter(customer=customer).order_by("-created_at", "-id")
