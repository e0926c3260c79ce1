"""Time-based automations: "pending for 3 days -> remind the customer", "solved 4 days -> closed".

A beat job (tickets/tasks.py) calls `run_automations` every minute. Each automation
acts once per ticket and anchor time: an AutomationRun row claims the pair before anything is done,
so a second run, a redelivered task or a second worker does nothing, while a ticket that comes back
to the same state later (a new anchor time) is handled again.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tickets import timeline
from tickets.bulk import insert_rows
from tickets.models import Automation, AutomationAction, AutomationRun, Status, Ticket
from tickets.rules.actions import apply_actions

logger = logging.getLogger(__name__)

# Rows per INSERT of runs: 4 parameters each stays far below SQLite's and PostgreSQL's limits.
_CLAIM_BATCH = 1000


def run_automations(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Apply each active automation, in position order, to the tickets now due; returns how many
    tickets were acted on (a ticket due for two automations counts twice).

    At most `limit` tickets per automation per call; the rest are due at the next call. Tickets
    another transaction holds are skipped, so concurrent runs share the work instead of waiting.
    """
    now = now or timezone.now()
    automations = Automation.objects.filter(active=True).select_related("team").prefetch_related("actions")
    acted = 0
    for automation in automations:
        try:
            acted += _run_one(automation, now=now, limit=limit)
        except Exception:
            # One broken automation (a bad value, a bug) must not stop the ones after it every minute.
            logger.exception("automation %r failed", automation.name)
    return acted


def describe_minutes(minutes: int) -> str:
    """'3 days', '1 hour 30 minutes': a delay the way an admin would say it."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in ((days, "day"), (hours, "hour"), (mins, "minute")) if n
    ]
    return " ".join(parts) or "0 minutes"


def _run_one(automation: Automation, *, now: datetime, limit: int) -> int:
    actions: Sequence[AutomationAction] = list(automation.actions.all())
    with transaction.atomic():
        tickets = _lock_due(automation, cutoff=now - timedelta(minutes=automation.after_minutes), limit=limit)
        claimed = _claim(automation, tickets, now)
        tickets = [ticket for ticket in tickets if ticket.pk in claimed]
        if not tickets:
            return 0
        said = apply_actions(
            [(ticket, actions) for ticket in tickets], now=now, source=f'automation "{automation.name}"'
        )
        insert_rows(
            [
                timeline.rule_applied_event(
                    ticket=ticket,
                    source="automation",
                    rules=[{"name": automation.name, "why": _why(automation, ticket), "did": said[ticket.pk]}],
                )
                for ticket in tickets
            ]
        )
    return len(tickets)


def _lock_due(automation: Automation, *, cutoff: datetime, limit: int) -> list[Ticket]:
    """Lock the oldest due tickets without a run for their current anchor time.

    Ordered by the anchor alone so that PostgreSQL walks the (status, anchor) index and stops after
    `limit` rows; tickets already handled at this anchor time are filtered by the run's unique index.
    """
    anchor = automation.anchor
    done = AutomationRun.objects.filter(automation=automation, ticket=OuterRef("pk"), anchor_at=OuterRef(anchor))
    due = Ticket.objects.filter(status=automation.status, merged_into=None, **{f"{anchor}__lte": cutoff})
    if automation.unassigned_only:
        due = due.filter(assignee=None)
    if automation.team_id:
        due = due.filter(team_id=automation.team_id)
    due = (
        due.filter(~Exists(done))
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("team", "assignee")
        .order_by(anchor)
    )
    return list(due[:limit])


def _claim(automation: Automation, tickets: list[Ticket], now: datetime) -> set[int]:
    """Insert the runs and return the tickets whose run this transaction inserted.

    The NOT EXISTS above reads a snapshot taken before the lock: a worker that committed in between
    left the ticket unchanged (a reminder changes no column), so only the unique constraint, with
    ON CONFLICT DO NOTHING RETURNING, tells which runs are ours (PostgreSQL, and SQLite >= 3.35).
    """
    meta = AutomationRun._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in ("automation", "ticket", "anchor_at", "ran_at")]
    ran_at = columns[3].get_db_prep_save(now, connection)
    claimed: set[int] = set()
    for start in range(0, len(tickets), _CLAIM_BATCH):
        batch = tickets[start : start + _CLAIM_BATCH]
        params = []
        for ticket in batch:
            anchor_at = columns[2].get_db_prep_save(getattr(ticket, automation.anchor), connection)
            params += [automation.pk, ticket.pk, anchor_at, ran_at]
        sql = "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO NOTHING RETURNING {}".format(  # noqa: S608 (names from the model)
            quote(meta.db_table),
            ", ".join(quote(c.column) for c in columns),
            ", ".join(["(%s, %s, %s, %s)"] * len(batch)),
            ", ".join(quote(c.column) for c in columns[:3]),
            quote(columns[1].column),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            claimed.update(row[0] for row in cursor.fetchall())
    return claimed


def _why(automation: Automation, ticket: Ticket) -> list[str]:
    """The conditions that held, for the timeline: "pending since 2026-11-20 10:00 UTC (3 days)"."""
    at = getattr(ticket, automation.anchor).astimezone(UTC)
    after = describe_minutes(automation.after_minutes)
    status = Status(automation.status).label.lower()
    if automation.anchor == Automation.Anchor.STATUS_CHANGED:
        why = [f"{status} since {at:%Y-%m-%d %H:%M} UTC ({after})"]
    else:
        label = Automation.Anchor(automation.anchor).label
        why = [status, f"{label} {at:%Y-%m-%d %H:%M} UTC ({after})"]
    if automation.unassigned_only:
        why.append("unassigned")
    if automation.team_id:
        why.append(f"team {automation.team.name}")
    return why
