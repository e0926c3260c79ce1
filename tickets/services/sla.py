"""SLA clocks: which policy a ticket is under, when each target is due, warnings and breaches.

Two entry points, so the business-time arithmetic runs only when something changes:
- `reconcile(ticket_ids)`: after a change to a ticket (created, a customer or agent message, a
  status or priority change) recompute its policy, due times and pauses from its current state.
  Services ask for it after their commit (`reconcile_after_commit`); Celery runs it.
- `sweep(now)`: every minute, the clocks whose next check has come (an index walk over
  `SlaClock.next_check_at`); it only compares stored times and records warnings and breaches,
  and it touches the narrow clock table, never the ticket rows agents work on.
Both are idempotent: a target's state only moves forward (pending -> warned -> breached, or met),
and each move writes one timeline event and one notification.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from helpdesk.realtime import publish_many
from tickets import events, timeline
from tickets.bulk import insert_rows, update_rows
from tickets.locks import tickets_for_update
from tickets.models import BusinessHours, Holiday, SlaClock, SlaPolicy, Status, Ticket, TicketEvent
from tickets.rules.business_hours import add_business_time, business_time_between

TARGETS = {"first_response": "First response", "next_response": "Next response", "resolution": "Resolution"}
_PAUSING = {Status.PENDING, Status.ON_HOLD}
# More SLA notices than this for one group in one sweep become one summary notice.
MAX_NOTICES = 20
_RUNNING = {"pending", "warned", "breached"}
# What reconcile writes on a ticket (the queue shows and sorts by the due times).
_TICKET_FIELDS = ["sla_policy", "first_response_due_at", "next_response_due_at", "resolution_due_at"]
# What a warning or breach needs of its ticket (timeline row, notification and its groups).
_NOTIFIED_FIELDS = ["id", "subject", "status", "channel", "team_id", "assignee_id", "sla_policy_id"]


def reconcile_after_commit(ticket_ids: Iterable[int]) -> None:
    """Have the SLA clocks of these tickets recomputed once the current transaction commits."""
    ids = sorted(set(ticket_ids))
    if ids:
        from tickets.tasks import reconcile_sla_task  # tasks import the services

        transaction.on_commit(lambda: reconcile_sla_task.delay(ids), robust=True)


def reconcile(*, ticket_ids: list[int], now: datetime | None = None) -> None:
    """Recompute policy, due times and pauses of the tickets from their current state.

    Locks the tickets (pk order). Emits the met/breached events a change settles (an agent's late
    first reply breaches the target it answers).
    """
    now = now or timezone.now()
    policies = active_policies()
    if not policies and not Ticket.objects.filter(pk__in=ticket_ids, sla_policy__isnull=False).exists():
        return  # no SLAs configured: nothing to compute or to clear
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(of=("self",))
            .select_related("customer__organization")
            .filter(pk__in=ticket_ids)
            .order_by("pk")
        )
        clocks = {c.ticket_id: c for c in SlaClock.objects.select_for_update().filter(ticket_id__in=ticket_ids)}
        rows: list[TicketEvent] = []
        for ticket in tickets:
            clock = clocks.get(ticket.pk) or SlaClock(ticket=ticket)
            _reconcile_one(ticket, clock, policy_for(ticket, policies), now, rows)
            clocks[ticket.pk] = clock
        update_rows(tickets, _TICKET_FIELDS)
        stored = [c for c in clocks.values() if not c._state.adding]
        update_rows(stored, ["state", "next_check_at"])
        SlaClock.objects.bulk_create([c for c in clocks.values() if c._state.adding and c.state])
        _record(rows)


def sweep(*, now: datetime | None = None, limit: int = 20_000) -> int:
    """Warn and breach the targets whose time has come; returns how many tickets were looked at.

    Reads only `SlaClock.next_check_at <= now` (a partial index), skipping clocks another sweep holds.
    """
    now = now or timezone.now()
    with transaction.atomic():
        clocks = list(
            SlaClock.objects.select_for_update(skip_locked=True)
            .filter(next_check_at__lte=now)
            .order_by("next_check_at")[:limit]
        )
        # Apart, by primary key: joined, the planner may scan every ticket to build a hash table.
        tickets = Ticket.objects.only(*_NOTIFIED_FIELDS).in_bulk([clock.ticket_id for clock in clocks])
        rows: list[TicketEvent] = []
        for clock in clocks:
            for kind in TARGETS:
                target = clock.state.get(kind)
                if target and not target.get("done"):
                    target["status"] = _advance(tickets[clock.ticket_id], kind, target, now, rows)
            clock.next_check_at = _next_check(clock.state)
        update_rows(clocks, ["state", "next_check_at"])
        _record(rows)
        breached = sorted({row.ticket_id for row in rows if row.kind == TicketEvent.Kind.SLA_BREACHED})
        if breached:
            from tickets.tasks import escalate_task

            # After the commit, in a task of its own: escalating locks tickets, and taking a ticket
            # lock while holding clock locks would invert reconcile's order (ticket, then clock).
            transaction.on_commit(lambda: escalate_task.delay(breached), robust=True)
    return len(clocks)


def escalate(*, ticket_ids: list[int]) -> None:
    """Apply their policies' escalation to breached tickets: higher priority, escalation team.

    Locks the tickets (pk order); the actor is the system. Idempotent: a ticket already escalated
    is left as it is.
    """
    with transaction.atomic():
        tickets = tickets_for_update(*ticket_ids)
        policies = {p.pk: p for p in SlaPolicy.objects.filter(pk__in={t.sla_policy_id for t in tickets})}
        rows: list[TicketEvent] = []
        changed = []
        for ticket in tickets:
            policy = policies.get(ticket.sla_policy_id)
            if policy is None:
                continue
            before = len(rows)
            if policy.escalate_priority and ticket.priority < policy.escalate_priority:
                old = ticket.priority
                ticket.priority = policy.escalate_priority
                rows.append(timeline.priority_changed_event(ticket=ticket, actor=None, old=old))
            if policy.escalate_team_id and ticket.team_id != policy.escalate_team_id:
                old_assignee, old_team = ticket.assignee, ticket.team
                ticket.team, ticket.assignee = policy.escalate_team, None
                rows.append(
                    timeline.ticket_assigned_event(
                        ticket=ticket, actor=None, old_assignee=old_assignee, old_team=old_team
                    )
                )
            if len(rows) > before:
                ticket.updated_at = timezone.now()
                changed.append(ticket)
        update_rows(changed, ["priority", "team", "assignee", "updated_at"])
        TicketEvent.objects.bulk_create(rows)
        publish_many(
            [
                (events.groups_for(t), events.ticket_changed(t, type="ticket.updated", summary=f"#{t.pk} escalated"))
                for t in changed
            ]
        )
        reconcile_after_commit(t.pk for t in changed)  # a higher priority may bring a stricter policy


def active_policies() -> list[SlaPolicy]:
    calendars = ("calendar__hours", "calendar__holidays")
    return list(
        SlaPolicy.objects.filter(active=True)
        .select_related("calendar")
        .prefetch_related(
            Prefetch(calendars[0], queryset=BusinessHours.objects.all()),
            Prefetch(calendars[1], queryset=Holiday.objects.all()),
            "organizations",
        )
    )


def policy_for(ticket: Ticket, policies: list[SlaPolicy]) -> SlaPolicy | None:
    """The first policy (in position order) whose conditions all hold for the ticket."""
    for policy in policies:
        if policy.priorities and ticket.priority not in policy.priorities:
            continue
        if policy.channels and ticket.channel not in policy.channels:
            continue
        organizations = {o.pk for o in policy.organizations.all()}
        if organizations and ticket.customer.organization_id not in organizations:
            continue
        organization = ticket.customer.organization
        if policy.tiers and (organization is None or organization.tier not in policy.tiers):
            continue
        return policy
    return None


def targets_of(ticket: Ticket) -> list[dict]:
    """The ticket's targets for display: label, due, status (pending/warned/breached/met), done."""
    try:
        state = ticket.sla_clock.state
    except SlaClock.DoesNotExist:
        return []
    return [
        {
            "label": label,
            "due": _time(state[kind]["due"]),
            "status": state[kind]["status"],
            "done": _time(state[kind].get("done")),
            "paused": _paused(state),
        }
        for kind, label in TARGETS.items()
        if kind in state
    ]


def _reconcile_one(
    ticket: Ticket, clock: SlaClock, policy: SlaPolicy | None, now: datetime, rows: list[TicketEvent]
) -> None:
    if policy is None:
        ticket.sla_policy, clock.state = None, {}
        _apply_columns(ticket, clock, paused=False)
        return
    state = clock.state if ticket.sla_policy_id == policy.pk else {}
    ticket.sla_policy = policy
    paused = policy.pause_when_pending and ticket.status in _PAUSING
    pauses: list[list[str | None]] = state.get("pauses", [])
    if paused and not (pauses and pauses[-1][1] is None):
        pauses.append([now.isoformat(), None])
    if not paused and pauses and pauses[-1][1] is None:
        pauses[-1][1] = now.isoformat()
    new_state: dict = {"pauses": pauses}
    for kind in TARGETS:
        minutes = getattr(policy, f"{kind}_minutes")
        start, done = _window(ticket, kind)
        if minutes is None or start is None:
            continue
        previous = state.get(kind, {})
        if previous.get("start") != start.isoformat():
            previous = {}  # a new round: the customer wrote again after our answer
        held = _paused_time(policy, pauses, start, now)
        target = {
            "start": start.isoformat(),
            "due": add_business_time(policy.calendar, start, timedelta(minutes=minutes) + held).isoformat(),
            "warn": add_business_time(
                policy.calendar, start, timedelta(minutes=minutes * policy.warn_at_percent / 100) + held
            ).isoformat(),
            "status": previous.get("status", "pending"),
            "done": done.isoformat() if done else None,
        }
        if done is not None:
            if target["status"] not in ("met", "breached"):
                met = done <= _time(target["due"])
                target["status"] = "met" if met else "breached"
                rows.append(timeline.sla_event(ticket=ticket, target=kind, status=target["status"], due=target["due"]))
        elif not paused:
            target["status"] = _advance(ticket, kind, target, now, rows)
        new_state[kind] = target
    clock.state = new_state
    _apply_columns(ticket, clock, paused=paused)


def _window(ticket: Ticket, kind: str) -> tuple[datetime | None, datetime | None]:
    """When the target's clock started, and when it was answered (None: still running)."""
    if kind == "first_response":
        return ticket.created_at, ticket.first_response_at
    if kind == "resolution":
        return ticket.created_at, ticket.solved_at if ticket.status in (Status.SOLVED, Status.CLOSED) else None
    asked, answered = ticket.last_customer_message_at, ticket.last_agent_reply_at
    if ticket.first_response_at is None or asked is None or asked <= ticket.first_response_at:
        return None, None  # no customer message waits after our first answer
    return asked, answered if answered and answered >= asked else None


def _paused_time(policy: SlaPolicy, pauses: list, start: datetime, now: datetime) -> timedelta:
    held = timedelta()
    for begin, end in pauses:
        begin, end = max(_time(begin), start), _time(end) if end else now
        if end > begin:
            held += business_time_between(policy.calendar, begin, end)
    return held


def _advance(ticket: Ticket, kind: str, target: dict, now: datetime, rows: list[TicketEvent]) -> str:
    status = target["status"]
    if status == "pending" and now >= _time(target["warn"]):
        status = "warned"
        rows.append(timeline.sla_event(ticket=ticket, target=kind, status=status, due=target["due"]))
    if status in ("pending", "warned") and now >= _time(target["due"]):
        status = "breached"
        rows.append(timeline.sla_event(ticket=ticket, target=kind, status=status, due=target["due"]))
    return status


def _apply_columns(ticket: Ticket, clock: SlaClock, *, paused: bool) -> None:
    """Due columns of the running targets (the queue shows them) and the clock's next check."""
    for kind in TARGETS:
        target = clock.state.get(kind)
        running = bool(target) and target["status"] in _RUNNING and not target.get("done")
        setattr(ticket, f"{kind}_due_at", _time(target["due"]) if running else None)
    clock.next_check_at = None if paused else _next_check(clock.state)


def _next_check(state: dict) -> datetime | None:
    """The next warning or due time of a running target: when the sweep must look again."""
    checks = []
    for kind in TARGETS:
        target = state.get(kind)
        if not target or target.get("done"):
            continue
        if target["status"] == "pending":
            checks.append(_time(target["warn"]))
        if target["status"] in ("pending", "warned"):
            checks.append(_time(target["due"]))
    return min(checks, default=None)


def _record(rows: list[TicketEvent]) -> None:
    """Write the timeline rows; tell each ticket's people, or one summary to a group that would
    get more than MAX_NOTICES (a mass breach must not bury an agent in toasts)."""
    if not rows:
        return
    insert_rows(rows)
    from tickets.services.sla_mail import mail_after_commit  # it reads TARGETS from this module

    mail_after_commit(rows)
    by_group: dict[str, list[TicketEvent]] = {}
    for row in rows:
        if row.kind != TicketEvent.Kind.SLA_MET:
            # Not the ticket's watchers: a mass breach must not fan out ticket by ticket.
            for group in events.groups_for(row.ticket, watchers=False):
                by_group.setdefault(group, []).append(row)
    notifications = []
    for group, notices in by_group.items():
        if len(notices) > MAX_NOTICES:
            breached = sum(row.kind == TicketEvent.Kind.SLA_BREACHED for row in notices)
            summary = f"SLA: {breached} targets breached, {len(notices) - breached} due soon"
            notifications.append(([group], events.tickets_summary(type="tickets.sla", summary=summary)))
            continue
        for row in notices:
            label, ticket = TARGETS[row.data["target"]], row.ticket
            done = "target breached" if row.kind == TicketEvent.Kind.SLA_BREACHED else "due soon"
            event = events.ticket_changed(ticket, type="ticket.sla", summary=f"#{ticket.pk}: {label} {done}")
            notifications.append(([group], event))
    publish_many(notifications)


def _paused(state: dict) -> bool:
    """The clock stands still while the last pause is still open."""
    pauses = state.get("pauses") or []
    return bool(pauses) and pauses[-1][1] is None


def _time(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None
