"""GDPR: a customer's data as a file (access, portability) and its erasure (the right to be forgotten).

Erasure anonymises rather than deletes: tickets keep their dates, channel, status, team and
priority, so reports stay true, while everything that says who the person is or what they wrote
goes. It reaches into the tickets, surveys and phone apps because one person's data lives there.
"""

from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from channels_in.phone.models import Call, CallbackRequest
from customers.models import Customer, CustomerEvent, ErasureRequest, ErasureState, Identity
from helpdesk.models import User
from helpdesk.roles import Role
from surveys.models import CsatSurvey, NpsResponse
from tickets.models import Attachment, Direction, FailedInbound, Message, Ticket, TicketEvent, Visibility

# What an erased subject or message body reads, so agents see why it is empty.
ERASED_TEXT = "(erased)"
_EXPORT_CHUNK = 200


def export_customer(customer: Customer) -> Iterator[str]:
    """The customer's data as one JSON document, produced piece by piece so a long history streams.

    Their profile, addresses, tickets with the public messages (internal notes are the agents'
    working notes, not the customer's data) and attachment details, and their survey answers.
    """
    dump = DjangoJSONEncoder(ensure_ascii=False).encode
    profile = {
        "id": customer.pk,
        "name": customer.name,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "organization": customer.organization.name if customer.organization_id else None,
        "created_at": customer.created_at,
    }
    identities = [
        {"kind": i.kind, "address": i.address, "display_name": i.display_name, "created_at": i.created_at}
        for i in customer.identities.order_by("created_at", "id")
    ]
    yield f'{{"exported_at": {dump(timezone.now())}, "customer": {dump(profile)}, '
    yield f'"identities": {dump(identities)}, "tickets": ['
    public = Message.objects.filter(visibility=Visibility.PUBLIC).prefetch_related("attachments").order_by("created_at")
    tickets = (
        Ticket.objects.filter(customer=customer)
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("messages", queryset=public))
    )
    for index, ticket in enumerate(tickets.iterator(chunk_size=_EXPORT_CHUNK)):
        yield ("" if index == 0 else ", ") + dump(_ticket_data(ticket))
    csat = [
        {"ticket": s.ticket_id, "score": s.score, "comment": s.comment, "answered_at": s.answered_at}
        for s in CsatSurvey.objects.filter(customer=customer, answered_at__isnull=False).order_by("answered_at")
    ]
    nps = [
        {"question": r.campaign.question, "score": r.score, "comment": r.comment, "answered_at": r.answered_at}
        for r in NpsResponse.objects.filter(customer=customer, answered_at__isnull=False).select_related("campaign")
    ]
    yield f'], "satisfaction_answers": {dump(csat)}, "recommendation_answers": {dump(nps)}}}\n'


def _ticket_data(ticket: Ticket) -> dict:
    return {
        "number": ticket.pk,
        "subject": ticket.subject,
        "channel": ticket.channel,
        "status": ticket.status,
        "created_at": ticket.created_at,
        "solved_at": ticket.solved_at,
        "messages": [
            {
                "from": "you" if message.direction == Direction.IN else "support",
                "channel": message.channel,
                "address": message.address,
                "subject": message.subject,
                "text": message.body_text,
                "fields": message.meta.get("fields", {}),
                "created_at": message.created_at,
                "attachments": [
                    {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                    for a in message.attachments.all()
                ],
            }
            for message in ticket.messages.all()
        ],
    }


def erase_customer(*, customer: Customer, by: User | None) -> CustomerEvent | None:
    """Anonymise the customer's personal data everywhere, in one transaction, and write an audit row.

    Covers the customers merged into this one (the same person), their addresses and portal login,
    the subjects, bodies, addresses and files of every message on their tickets (agents' replies
    and notes quote them) or written by them elsewhere, their survey comments, phone numbers and
    transcriptions. Files leave storage after the commit. Idempotent: run again, it finds nothing
    to change and returns None without a second audit row. Locks the customer.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        people = _merged_into(customer)
        ticket_ids = list(Ticket.objects.filter(customer_id__in=people).values_list("pk", flat=True))
        messages = Message.objects.filter(Q(ticket_id__in=ticket_ids) | Q(author_customer_id__in=people))
        attachments = Attachment.objects.filter(message__in=messages)
        files = [name for name in attachments.values_list("file", flat=True) if name]
        counts = {
            "identities": Identity.objects.filter(customer_id__in=people).delete()[0],
            "attachments": attachments.delete()[0],
            "messages": messages.filter(_has_personal_data()).update(
                subject="",
                body_text=ERASED_TEXT,
                body_html="",
                body_quoted="",
                address="",
                reply_to="",
                meta={},
                delivery_error="",
            ),
            "tickets": Ticket.objects.filter(pk__in=ticket_ids)
            .exclude(subject=ERASED_TEXT, conversation_id="")
            .update(subject=ERASED_TEXT, conversation_id=""),
            "cc": Ticket.cc.through.objects.filter(customer_id__in=people).delete()[0],
            "users": _remove_portal_users(people),
        }
        # Delivery errors quote the address ("550 <pat@example.org> unknown").
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind=TicketEvent.Kind.DELIVERY_FAILED).update(data={})
        FailedInbound.objects.filter(message__in=messages).exclude(payload="").update(payload="", error=ERASED_TEXT)
        CsatSurvey.objects.filter(customer_id__in=people).exclude(comment="").update(comment="")
        NpsResponse.objects.filter(customer_id__in=people).update(comment="", address="")
        Call.objects.filter(ticket_id__in=ticket_ids).update(
            customer_number="", recording_sid="", recording_url="", transcription="", notes=""
        )
        CallbackRequest.objects.filter(ticket_id__in=ticket_ids).update(number="", note="")
        counts["profile"] = (
            Customer.objects.filter(pk__in=people)
            .exclude(name="", notes="", language="", time_zone="")
            .update(name="", notes="", language="", time_zone="")
        )
        # Earlier audit rows hold addresses (merges, opt-outs); their kind and date stay.
        CustomerEvent.objects.filter(customer_id__in=people).exclude(kind=CustomerEvent.Kind.ERASED).exclude(
            data={}
        ).update(data={})
        already = CustomerEvent.objects.filter(customer=customer, kind=CustomerEvent.Kind.ERASED).exists()
        if already and not any(counts.values()):
            return None
        event = CustomerEvent.objects.create(
            customer=customer, kind=CustomerEvent.Kind.ERASED, actor=by, data=counts | {"customers": people}
        )
        storage = Attachment._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return event


def _merged_into(customer: Customer) -> list[int]:
    """The customer and every customer merged into it, directly or through others."""
    found, frontier = [customer.pk], [customer.pk]
    while frontier:
        frontier = list(
            Customer.objects.filter(merged_into_id__in=frontier).exclude(pk__in=found).values_list("pk", flat=True)
        )
        found += frontier
    return found


def _has_personal_data() -> Q:
    return (
        ~Q(subject="")
        | ~Q(body_text=ERASED_TEXT)
        | ~Q(body_html="")
        | ~Q(body_quoted="")
        | ~Q(address="")
        | ~Q(reply_to="")
        | ~Q(meta={})
        | ~Q(delivery_error="")
    )


def _remove_portal_users(people: list[int]) -> int:
    """Delete the customers' portal logins (their sessions die with them); a staff login is only unlinked."""
    users = User.objects.filter(customer__in=people)
    removed = users.filter(role=Role.CUSTOMER, is_superuser=False).delete()[1].get(User._meta.label, 0)
    Customer.objects.filter(pk__in=people, user__isnull=False).update(user=None)
    return removed


def handle_erasure_request(*, erasure: ErasureRequest, by: User) -> bool:
    """Erase the customer of a pending request and mark it done; False when it was not pending.

    One transaction with the erasure itself; locks the request so two admins erase once.
    """
    with transaction.atomic():
        erasure = ErasureRequest.objects.select_for_update().select_related("customer").get(pk=erasure.pk)
        if erasure.state != ErasureState.PENDING:
            return False
        erase_customer(customer=erasure.customer, by=by)
        erasure.state, erasure.handled_by, erasure.handled_at = ErasureState.DONE, by, timezone.now()
        erasure.save(update_fields=["state", "handled_by", "handled_at"])
    return True


def refuse_erasure_request(*, erasure: ErasureRequest, by: User) -> bool:
    """Close a pending request without erasing (the note says why); False when it was not pending."""
    updated = ErasureRequest.objects.filter(pk=erasure.pk, state=ErasureState.PENDING).update(
        state=ErasureState.REFUSED, handled_by=by, handled_at=timezone.now()
    )
    return bool(updated)
