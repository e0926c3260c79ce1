"""What routing rules and automations do to tickets, for many tickets at once.

`apply_actions` is the one place that turns action rows (RuleAction, AutomationAction) into ticket
changes. It writes the same timeline events as an agent's change, in a fixed number of queries for
any number of tickets, and leaves the slow parts (replies, SLA clocks, assignment) to after the
commit. A value that names nothing (a deleted team, a typo in a username) is skipped and said so in
the change list, so the rule log shows why a rule did less than expected.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db import transaction
from django.utils.text import slugify

from helpdesk.models import User
from helpdesk.realtime import publish_many
from helpdesk.roles import Role
from tickets import events, timeline
from tickets.bulk import insert_rows, update_rows
from tickets.models import ActionKind, Macro, Priority, Status, Tag, Team, Ticket, TicketEvent


class ActionLike(Protocol):
    kind: str
    value: str


@dataclass
class _Lookups:
    """Names in action values, resolved once per call for every ticket."""

    teams: dict[str, Team] = field(default_factory=dict)
    agents: dict[str, User] = field(default_factory=dict)
    macros: dict[str, Macro] = field(default_factory=dict)
    members: set[tuple[int, int]] = field(default_factory=set)  # (team id, user id)

    @classmethod
    def load(cls, actions: list[ActionLike]) -> "_Lookups":
        wanted: dict[str, set[str]] = defaultdict(set)
        for action in actions:
            if action.kind in (ActionKind.SET_ASSIGNEE, ActionKind.ADD_FOLLOWERS):
                wanted["users"].update(split_names(action.value))
            elif action.kind in (ActionKind.SET_TEAM, ActionKind.REPLY_MACRO):
                wanted[action.kind].add(action.value.strip())
        found = cls()
        if wanted[ActionKind.SET_TEAM]:
            found.teams = {t.name: t for t in Team.objects.filter(name__in=wanted[ActionKind.SET_TEAM])}
        if wanted["users"]:
            users = User.objects.filter(username__in=wanted["users"], is_active=True, role__in=[Role.ADMIN, Role.AGENT])
            found.agents = {u.username: u for u in users}
            through = Team.members.through
            found.members = set(through.objects.filter(user__in=users).values_list("team_id", "user_id"))
        if wanted[ActionKind.REPLY_MACRO]:
            macros = Macro.objects.filter(name__in=wanted[ActionKind.REPLY_MACRO], active=True)
            found.macros = {m.name: m for m in macros}
        return found


def split_names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def tag_names(value: str) -> set[str]:
    """The tags a comma-separated action value names, as stored (slugs of at most 50 characters)."""
    return {slugify(name, allow_unicode=True)[:50] for name in split_names(value)} - {""}


def apply_actions(
    items: Sequence[tuple[Ticket, Sequence[ActionLike]]], *, now: datetime, source: str, assign: bool = True
) -> dict[int, list[str]]:
    """Apply each ticket's actions, in order; returns per ticket one sentence per action.

    Run inside a transaction, with the tickets locked (tickets.locks.tickets_for_update) and loaded
    with their team and assignee. `source` names who acted ('rule "VIP first"') in notices and
    reasons. With `assign`, a ticket moved to a team without an assignee is offered to its agents.
    """
    lookups = _Lookups.load([action for _, actions in items for action in actions])
    current_tags = _tags_of([ticket.pk for ticket, actions in items if _touches_tags(actions)])
    said: dict[int, list[str]] = {}
    rows: list[TicketEvent] = []
    changed: dict[int, set[str]] = defaultdict(set)
    tag_sets: dict[int, tuple[set[str], set[str]]] = {}  # ticket -> (before, after)
    followers: set[tuple[int, int]] = set()
    macros: list[tuple[int, int, str]] = []
    notices: list[tuple[list[str], events.TicketChanged]] = []
    for ticket, actions in items:
        sentences: list[str] = []
        for action in actions:
            kind, value = action.kind, action.value.strip()
            if kind in (ActionKind.ADD_TAGS, ActionKind.REMOVE_TAGS):
                before = current_tags[ticket.pk]
                after = tag_sets.setdefault(ticket.pk, (before, set(before)))[1]
                names = tag_names(value)
                after.update(names) if kind == ActionKind.ADD_TAGS else after.difference_update(names)
                sentences.append(
                    f"{'added' if kind == ActionKind.ADD_TAGS else 'removed'} tags {', '.join(sorted(names))}"
                )
            elif kind == ActionKind.ADD_FOLLOWERS:
                users = [lookups.agents[n] for n in split_names(value) if n in lookups.agents]
                followers.update((ticket.pk, user.pk) for user in users)
                sentences.append(f"followers: {', '.join(u.username for u in users) or 'no such agents'}")
            elif kind == ActionKind.REPLY_MACRO:
                macro = lookups.macros.get(value)
                if macro:
                    macros.append((ticket.pk, macro.pk, f"{source}@{now.isoformat()}"))
                sentences.append(f"replied with {value!r}" if macro else f"reply {value!r} skipped: no active macro")
            elif kind in (ActionKind.NOTIFY_TEAM, ActionKind.NOTIFY_ASSIGNEE):
                groups = _notified(ticket, kind)
                if groups:
                    notices.append((groups, events.ticket_changed(ticket, type="ticket.notice", summary=value)))
                whom = "team" if kind == ActionKind.NOTIFY_TEAM else "assignee"
                sentences.append(f"notified the {whom}" if groups else f"nobody to notify: no {whom}")
            else:
                sentences.append(_apply_one(ticket, kind, value, lookups, changed[ticket.pk], rows, now, source))
        said[ticket.pk] = sentences
    tickets = {ticket.pk: ticket for ticket, _ in items}
    for ticket_id, (before, after) in tag_sets.items():
        added, removed = sorted(after - before), sorted(before - after)
        if added or removed:
            rows.append(
                timeline.tags_changed_event(ticket=tickets[ticket_id], actor=None, added=added, removed=removed)
            )
            changed[ticket_id].add("updated_at")
    _write_tags(tag_sets)
    _write_followers(followers, lookups.agents.values(), tickets, rows, now)
    _save(items, changed, now)
    insert_rows(rows)
    _after_commit([t for t, _ in items if changed.get(t.pk)], changed, macros, notices, source, assign=assign)
    return said


def _apply_one(
    ticket: Ticket, kind: str, value: str, lookups: _Lookups, fields: set[str], rows: list, now: datetime, source: str
) -> str:
    """The actions that change one column; returns what happened, for the rule log."""
    if kind == ActionKind.SET_TEAM:
        team = lookups.teams.get(value)
        if team is None:
            return f"team {value!r} skipped: no such team"
        if ticket.team_id == team.pk:
            return f"team already {team.name}"
        old_assignee, old_team = ticket.assignee, ticket.team
        ticket.team = team
        if ticket.assignee_id and (team.pk, ticket.assignee_id) not in lookups.members:
            ticket.assignee = None
        fields.update({"team", "assignee"})
        rows.append(
            timeline.ticket_assigned_event(ticket=ticket, actor=None, old_assignee=old_assignee, old_team=old_team)
        )
        return f"team {team.name}"
    if kind == ActionKind.SET_ASSIGNEE:
        user = lookups.agents.get(value)
        if user is None:
            return f"assignee {value!r} skipped: no such agent"
        if ticket.team_id and (ticket.team_id, user.pk) not in lookups.members:
            return f"assignee {value!r} skipped: not in team {ticket.team}"
        if ticket.assignee_id == user.pk:
            return f"assignee already {user.username}"
        old_assignee, old_team = ticket.assignee, ticket.team
        ticket.assignee = user
        fields.update({"team", "assignee"})
        rows.append(
            timeline.ticket_assigned_event(ticket=ticket, actor=None, old_assignee=old_assignee, old_team=old_team)
        )
        return f"assignee {user.username}"
    if kind == ActionKind.SET_PRIORITY:
        if not value.isdigit() or int(value) not in Priority.values:
            return f"priority {value!r} skipped: not 1-4"
        if ticket.priority == int(value):
            return f"priority already {Priority(ticket.priority).label}"
        old = ticket.priority
        ticket.priority = int(value)
        fields.add("priority")
        rows.append(timeline.priority_changed_event(ticket=ticket, actor=None, old=old))
        return f"priority {Priority(ticket.priority).label}"
    if kind == ActionKind.SET_STATUS:
        if value not in Status.values:
            return f"status {value!r} skipped: not a status"
        if ticket.status == value:
            return f"status already {value}"
        old = ticket.status
        ticket.status, ticket.status_changed_at = value, now
        ticket.solved_at = now if value == Status.SOLVED else (ticket.solved_at if value == Status.CLOSED else None)
        fields.update({"status", "status_changed_at", "solved_at"})
        rows.append(timeline.status_changed_event(ticket=ticket, actor=None, old=old, reason=source))
        return f"status {value}"
    if kind == ActionKind.SET_LANGUAGE:
        value = value[:16]
        if not value:
            return "language skipped: no value"
        if ticket.language == value:
            return f"language already {value}"
        old = ticket.language
        ticket.language = value
        fields.add("language")
        rows.append(timeline.language_changed_event(ticket=ticket, old=old))
        return f"language {ticket.language}"
    return f"unknown action {kind!r} skipped"


def _touches_tags(actions: Sequence[ActionLike]) -> bool:
    return any(a.kind in (ActionKind.ADD_TAGS, ActionKind.REMOVE_TAGS) for a in actions)


def _tags_of(ticket_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    if ticket_ids:
        through = Ticket.tags.through
        for ticket_id, name in through.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", "tag__name"):
            found[ticket_id].add(name)
    return found


def _write_tags(tag_sets: dict[int, tuple[set[str], set[str]]]) -> None:
    added = {(t, n) for t, (before, after) in tag_sets.items() for n in after - before}
    removed = {(t, n) for t, (before, after) in tag_sets.items() for n in before - after}
    if not added and not removed:
        return
    names = {n for _, n in added | removed}
    # Sorted: two workers creating the same new tags take the unique index's locks in one order.
    Tag.objects.bulk_create([Tag(name=n) for n in sorted({n for _, n in added})], ignore_conflicts=True)
    ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    through = Ticket.tags.through
    through.objects.bulk_create([through(ticket_id=t, tag_id=ids[n]) for t, n in added], ignore_conflicts=True)
    for ticket_id, name in removed:  # rare: a rule removing a tag
        through.objects.filter(ticket_id=ticket_id, tag_id=ids[name]).delete()


def _write_followers(
    followers: set[tuple[int, int]],
    agents: Iterable[User],
    tickets: dict[int, Ticket],
    rows: list[TicketEvent],
    now: datetime,
) -> None:
    if not followers:
        return
    through = Ticket.followers.through
    existing = set(through.objects.filter(ticket_id__in={t for t, _ in followers}).values_list("ticket_id", "user_id"))
    new = sorted(followers - existing)
    through.objects.bulk_create([through(ticket_id=t, user_id=u) for t, u in new])
    names = {user.pk: user.display_name for user in agents}
    by_ticket: dict[int, list[str]] = defaultdict(list)
    for ticket_id, user_id in new:
        by_ticket[ticket_id].append(names[user_id])
    rows += [timeline.followers_changed_event(ticket=tickets[t], added=users, at=now) for t, users in by_ticket.items()]


def _save(items: Sequence[tuple[Ticket, Sequence[ActionLike]]], changed: dict[int, set[str]], now: datetime) -> None:
    """One UPDATE per set of changed columns (a batch of tickets routed alike shares one)."""
    groups: dict[tuple[str, ...], list[Ticket]] = defaultdict(list)
    for ticket, _ in items:
        fields = changed.get(ticket.pk)
        if fields:
            ticket.updated_at = now
            groups[tuple(sorted(fields | {"updated_at"}))].append(ticket)
    for fields, tickets in groups.items():
        update_rows(tickets, list(fields))


def _notified(ticket: Ticket, kind: str) -> list[str]:
    if kind == ActionKind.NOTIFY_ASSIGNEE:
        return [events.agent_group(ticket.assignee_id)] if ticket.assignee_id else []
    return [events.team_group(ticket.team_id) if ticket.team_id else events.AGENTS_GROUP]


def _after_commit(
    touched: list[Ticket],
    changed: dict[int, set[str]],
    macros: list[tuple[int, int, str]],
    notices: list,
    source: str,
    *,
    assign: bool,
) -> None:
    notices += [
        (events.groups_for(t), events.ticket_changed(t, type="ticket.updated", summary=f"{source} changed #{t.pk}"))
        for t in touched
    ]
    publish_many(notices)
    from tickets.services import sla  # the services run the rules

    sla.reconcile_after_commit(t.pk for t in touched if {"status", "priority"} & changed[t.pk])
    if assign:
        from tickets.services.assign import assign_after_commit  # assignment imports the services

        assign_after_commit([t.pk for t in touched if "team" in changed[t.pk] and t.team_id and not t.assignee_id])
    if macros:
        from tickets.tasks import send_macros_task  # tasks import the services

        transaction.on_commit(lambda: send_macros_task.delay(macros), robust=True)
