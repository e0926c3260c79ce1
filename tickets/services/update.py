from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from helpdesk.realtime import publish
from helpdesk.roles import Role, can_reply_publicly, role_of
from tickets import events, timeline
from tickets.locks import tickets_for_update
from tickets.models import Priority, Status, Tag, Team, Ticket, TicketEvent
from tickets.services import assign, sla

_UNSET = object()


def update_ticket(
    *,
    ticket: Ticket,
    by,
    status: str | None = None,
    priority: int | None = None,
    assignee=_UNSET,
    team=_UNSET,
    tags: list[str] | None = None,
) -> Ticket:
    """Apply the given changes at once, writing one timeline event per kind of change.

    Pass `assignee=None` / `team=None` to unassign; omit them to leave them alone. Locks the ticket.
    """
    if not can_reply_publicly(by):
        raise PermissionDenied("Light agents cannot change tickets.")
    if status is not None and status not in Status.values:
        raise ValidationError({"status": f"{status!r} is not a status."})
    if priority is not None and priority not in Priority.values:
        raise ValidationError({"priority": f"{priority!r} is not a priority."})
    if assignee not in (_UNSET, None) and role_of(assignee) not in (Role.ADMIN, Role.AGENT):
        raise ValidationError({"assignee": f"{assignee} is not an agent."})
    tag_names = _clean_tags(tags) if tags is not None else None

    with transaction.atomic():
        (ticket,) = tickets_for_update(ticket.pk)
        if ticket.merged_into_id:
            raise ValidationError(f"Ticket #{ticket.pk} was merged into #{ticket.merged_into_id}; change that one.")
        now = timezone.now()
        rows: list[TicketEvent] = []
        fields: list[str] = []
        if status is not None and status != ticket.status:
            old = ticket.status
            ticket.status, ticket.status_changed_at = status, now
            ticket.solved_at = (
                now if status == Status.SOLVED else (ticket.solved_at if status == Status.CLOSED else None)
            )
            fields += ["status", "status_changed_at", "solved_at"]
            rows.append(timeline.status_changed_event(ticket=ticket, actor=by, old=old))
        if priority is not None and priority != ticket.priority:
            old = ticket.priority
            ticket.priority = priority
            fields.append("priority")
            rows.append(timeline.priority_changed_event(ticket=ticket, actor=by, old=old))
        new_assignee = ticket.assignee if assignee is _UNSET else assignee
        new_team = ticket.team if team is _UNSET else team
        if new_assignee is not None and new_team is not None and not _is_member(new_assignee, new_team):
            raise ValidationError({"assignee": f"{new_assignee.display_name} is not in team {new_team}."})
        if new_assignee != ticket.assignee or new_team != ticket.team:
            old_assignee, old_team = ticket.assignee, ticket.team
            ticket.assignee, ticket.team = new_assignee, new_team
            fields += ["assignee", "team"]
            rows.append(
                timeline.ticket_assigned_event(ticket=ticket, actor=by, old_assignee=old_assignee, old_team=old_team)
            )
        if tag_names is not None:
            current = set(ticket.tags.values_list("name", flat=True))
            added, removed = sorted(set(tag_names) - current), sorted(current - set(tag_names))
            if added or removed:
                Tag.objects.bulk_create([Tag(name=n) for n in added], ignore_conflicts=True)
                ticket.tags.set(Tag.objects.filter(name__in=tag_names))
                rows.append(timeline.tags_changed_event(ticket=ticket, actor=by, added=added, removed=removed))
        if rows:
            ticket.updated_at = now
            ticket.save(update_fields=[*fields, "updated_at"])
            TicketEvent.objects.bulk_create(rows)
            if {"status", "priority"} & set(fields):
                sla.reconcile_after_commit([ticket.pk])  # pauses, resumes, or another policy
            if "team" in fields and ticket.team_id and not ticket.assignee_id:
                assign.assign_after_commit([ticket.pk])  # an auto-assign team hands it to an agent
            summary = f"{by.display_name} updated #{ticket.pk}"
            groups = events.groups_for(ticket)
            if "assignee" in fields and ticket.assignee_id:
                summary = f"#{ticket.pk} was assigned to {ticket.assignee.display_name}"
            publish(groups, events.ticket_changed(ticket, type="ticket.updated", summary=summary))
    return ticket


def _is_member(user, team: Team) -> bool:
    return team.members.filter(pk=user.pk).exists()


def _clean_tags(tags: list[str]) -> list[str]:
    names = []
    for raw in tags:
        name = slugify(raw, allow_unicode=True)[:50]
        if not name:
            raise ValidationError({"tags": f"{raw!r} is not a usable tag."})
        names.append(name)
    return sorted(set(names))
