"""One builder per TicketEvent kind; services call these and nothing else writes TicketEvent.

Builders return unsaved rows so a service can write all of one change in a single INSERT.
"""

from datetime import datetime
from typing import TypedDict

from django.utils import timezone

from tickets.models import Message, Priority, Ticket, TicketEvent

Kind = TicketEvent.Kind


def bulk_save(rows: list[TicketEvent]) -> None:
    """Write rows built by the functions below in one INSERT."""
    TicketEvent.objects.bulk_create(rows)


def _event(ticket: Ticket, kind: str, actor, data: dict, at: datetime | None = None) -> TicketEvent:
    return TicketEvent(ticket=ticket, kind=kind, actor=actor, data=data, created_at=at or timezone.now())


def ticket_created_event(*, ticket: Ticket, actor=None) -> TicketEvent:
    return _event(ticket, Kind.CREATED, actor, {"channel": ticket.channel}, ticket.created_at)


def message_added_event(*, message: Message, actor=None) -> TicketEvent:
    data = {"message": message.pk, "direction": message.direction, "visibility": message.visibility}
    return _event(message.ticket, Kind.MESSAGE_ADDED, actor, data | {"channel": message.channel}, message.created_at)


def ticket_assigned_event(*, ticket: Ticket, actor, old_assignee, old_team) -> TicketEvent:
    data = {
        "from_assignee": old_assignee.display_name if old_assignee else None,
        "to_assignee": ticket.assignee.display_name if ticket.assignee else None,
        "from_team": old_team.name if old_team else None,
        "to_team": ticket.team.name if ticket.team else None,
    }
    return _event(ticket, Kind.ASSIGNED, actor, data)


def status_changed_event(*, ticket: Ticket, actor, old: str, reason: str = "") -> TicketEvent:
    return _event(ticket, Kind.STATUS_CHANGED, actor, {"from": old, "to": ticket.status, "reason": reason})


def priority_changed_event(*, ticket: Ticket, actor, old: int) -> TicketEvent:
    data = {
        "from": old,
        "to": ticket.priority,
        "from_label": Priority(old).label,
        "to_label": Priority(ticket.priority).label,
    }
    return _event(ticket, Kind.PRIORITY_CHANGED, actor, data)


def tags_changed_event(*, ticket: Ticket, actor, added: list[str], removed: list[str]) -> TicketEvent:
    return _event(ticket, Kind.TAGS_CHANGED, actor, {"added": added, "removed": removed})


def ticket_merged_event(*, ticket: Ticket, actor, source: Ticket, target: Ticket, messages: int) -> TicketEvent:
    return _event(ticket, Kind.MERGED, actor, {"source": source.pk, "target": target.pk, "messages": messages})


def customer_changed_event(*, ticket: Ticket, actor, old_customer_id: int) -> TicketEvent:
    return _event(ticket, Kind.CUSTOMER_CHANGED, actor, {"from": old_customer_id, "to": ticket.customer_id})


def delivery_failed_event(*, message: Message, error: str) -> TicketEvent:
    return _event(message.ticket, Kind.DELIVERY_FAILED, None, {"message": message.pk, "error": error[:500]})


def sla_event(*, ticket: Ticket, target: str, status: str, due: str) -> TicketEvent:
    """A target warned (due soon), breached or met; `due` is its due time (ISO 8601)."""
    kind = {"warned": Kind.SLA_WARNING, "breached": Kind.SLA_BREACHED, "met": Kind.SLA_MET}[status]
    return _event(ticket, kind, None, {"target": target, "due": due})


def language_changed_event(*, ticket: Ticket, old: str) -> TicketEvent:
    return _event(ticket, Kind.LANGUAGE_CHANGED, None, {"from": old, "to": ticket.language})


def followers_changed_event(*, ticket: Ticket, added: list[str], at: datetime) -> TicketEvent:
    """Agents (their names) who now follow the ticket."""
    return _event(ticket, Kind.FOLLOWERS_CHANGED, None, {"added": added}, at)


class FiredRule(TypedDict):
    name: str
    why: list[str]  # the conditions that held
    did: list[str]  # what each action did, in order


def rule_applied_event(*, ticket: Ticket, source: str, rules: list[FiredRule]) -> TicketEvent:
    """Routing rules (`source` "rule") or an automation fired on the ticket; one row for all of
    them, since a ticket typically matches several rules at once."""
    return _event(ticket, Kind.RULE_APPLIED, None, {"source": source, "rules": rules})
