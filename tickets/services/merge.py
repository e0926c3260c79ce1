from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk.realtime import publish
from helpdesk.roles import can_reply_publicly
from tickets import events, timeline
from tickets.locks import tickets_for_update
from tickets.models import Status, Ticket, TicketEvent


def merge_tickets(*, source: Ticket, target: Ticket, by) -> Ticket:
    """Move every message of `source` onto `target` and close `source` as merged.

    Locks both tickets in pk order. Replies to the old ticket's messages thread onto the target.
    """
    if not can_reply_publicly(by):
        raise PermissionDenied("Light agents cannot merge tickets.")
    if source.pk == target.pk:
        raise ValidationError("A ticket cannot be merged into itself.")
    with transaction.atomic():
        locked = {t.pk: t for t in tickets_for_update(source.pk, target.pk)}
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id or target.merged_into_id:
            raise ValidationError("One of these tickets was already merged into another.")
        if target.status == Status.CLOSED:
            raise ValidationError(f"Ticket #{target.pk} is closed; merge into an open ticket.")
        now = timezone.now()
        moved = source.messages.update(ticket=target)
        target.tags.add(*source.tags.all())
        for field in ("last_customer_message_at", "last_message_at"):
            values = [v for v in (getattr(source, field), getattr(target, field)) if v]
            setattr(target, field, max(values) if values else None)
        if source.first_response_at and (
            not target.first_response_at or source.first_response_at < target.first_response_at
        ):
            target.first_response_at = source.first_response_at
        target.updated_at = now
        target.save(update_fields=["last_customer_message_at", "last_message_at", "first_response_at", "updated_at"])
        old_status = source.status
        source.status, source.merged_into, source.updated_at = Status.CLOSED, target, now
        source.status_changed_at = now
        source.save(update_fields=["status", "status_changed_at", "merged_into", "updated_at"])
        TicketEvent.objects.bulk_create(
            [
                timeline.ticket_merged_event(ticket=source, actor=by, source=source, target=target, messages=moved),
                timeline.status_changed_event(ticket=source, actor=by, old=old_status, reason="merged"),
                timeline.ticket_merged_event(ticket=target, actor=by, source=source, target=target, messages=moved),
            ]
        )
        summary = f"#{source.pk} was merged into #{target.pk}"
        publish(
            events.groups_for(target) + [events.ticket_group(source.pk)],
            events.ticket_changed(target, type="ticket.updated", summary=summary),
        )
    return target
