"""What a signed-in customer may see in the portal: their tickets, and their organization's when it shares them.

Every portal page reads through these functions, so isolation is decided in one place.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from customers.models import Customer, Identity, IdentityKind
from tickets.models import Attachment, Automatic, Message, Status, Ticket, TicketEvent, Visibility

# A chain of customer merges is short; this stops a loop.
_MAX_MERGE_HOPS = 10


def portal_customer(user) -> Customer | None:
    """The live customer behind a portal login (following merges), with their organization's settings."""
    customer = (
        Customer.objects.select_related("organization__portal_settings").filter(user_id=user.pk).order_by().first()
    )
    for _ in range(_MAX_MERGE_HOPS):
        if customer is None or not customer.merged_into_id:
            break
        customer = Customer.objects.select_related("organization__portal_settings").get(pk=customer.merged_into_id)
    return customer


def shares_organization_tickets(customer: Customer) -> bool:
    organization = customer.organization
    settings = getattr(organization, "portal_settings", None) if organization else None
    return bool(settings and settings.share_tickets)


def _own(customer: Customer) -> Q:
    """Tickets the customer opened or is on Cc of: the ones they may also act on."""
    return Q(customer=customer) | Q(pk__in=Ticket.cc.through.objects.filter(customer=customer).values("ticket_id"))


def _visible(customer: Customer) -> Q:
    if shares_organization_tickets(customer):
        return _own(customer) | Q(customer__organization_id=customer.organization_id)
    return _own(customer)


def request_list(customer: Customer, *, organization: bool = False) -> QuerySet[Ticket]:
    """The customer's requests on every channel, newest first; with `organization`, their organization's
    (when it shares them). Merged-away tickets are left out: their messages live on the surviving one."""
    scope = _visible(customer) if organization and shares_organization_tickets(customer) else _own(customer)
    return (
        Ticket.objects.filter(scope, merged_into__isnull=True)
        .select_related("customer")
        .only("id", "subject", "status", "channel", "created_at", "updated_at", "customer__id", "customer__name")
        .order_by("-created_at", "-id")
    )


def request_get(customer: Customer, number: int) -> Ticket:
    """A ticket the customer may see; 404 otherwise, so numbers reveal nothing."""
    ticket = Ticket.objects.filter(_visible(customer), pk=number).select_related("customer").first()
    if ticket is None:
        raise Http404("No such request.")
    return ticket


def can_act_on(customer: Customer, ticket: Ticket) -> bool:
    """Reply, mark solved and rate: only the customer's own tickets (organization tickets are read only)."""
    return Ticket.objects.filter(_own(customer), pk=ticket.pk).exists()


def public_timeline(ticket: Ticket) -> list[Message | TicketEvent]:
    """What the customer may read on a ticket, oldest first: public messages and status changes.

    Internal notes never; machine-sent messages (out-of-office, bounces, acknowledgements, the
    survey request) are left out as noise, except macros a rule sent, which answer the customer.
    """
    messages = (
        ticket.messages.filter(visibility=Visibility.PUBLIC)
        .filter(Q(automatic=Automatic.NO) | Q(meta__has_key="macro_key"))
        .select_related("author_agent", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    items: list[Message | TicketEvent] = list(messages)
    for event in ticket.events.filter(kind=TicketEvent.Kind.STATUS_CHANGED).only("kind", "data", "created_at"):
        event.status_label = Status(event.data["to"]).label  # for the template
        items.append(event)
    return sorted(items, key=lambda item: (item.created_at, isinstance(item, TicketEvent), item.pk))


def attachment_get(customer: Customer, number: int, attachment_id: int) -> Attachment:
    """A stored file of a public message on a ticket the customer may see; 404 otherwise."""
    ticket = request_get(customer, number)
    attachment = (
        Attachment.objects.exclude(file="")
        .filter(pk=attachment_id, message__ticket=ticket, message__visibility=Visibility.PUBLIC)
        .first()
    )
    if attachment is None:
        raise Http404("No such file.")
    return attachment


def reply_address(customer: Customer, signed_in_with: str) -> str | None:
    """The address the customer's portal messages come from: the one they signed in with while it is
    still theirs, else their oldest e-mail address; None if they have none."""
    addresses = list(
        Identity.objects.filter(customer=customer, kind=IdentityKind.EMAIL)
        .order_by("created_at", "id")
        .values_list("address", flat=True)
    )
    if signed_in_with in addresses:
        return signed_in_with
    return addresses[0] if addresses else None
