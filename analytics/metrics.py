"""Per-ticket metrics, kept current by following the ticket timeline (TicketEvent) with a cursor.

Every change to a ticket writes a TicketEvent, so the tickets whose metrics may have changed are
exactly those with events after the cursor. `refresh_metrics` reads them in id order and recomputes
those tickets from their messages and status changes, a batch at a time in a fixed number of queries.

Rows committed out of id order: on PostgreSQL an id is taken at INSERT but becomes visible at COMMIT,
so a long transaction can commit id 100 after id 101 was read. Each id skipped over (below the highest
id read but not seen) is kept in `pending_ids` and looked for again on every run for PENDING_TTL; ids
of rolled-back transactions are never seen and simply expire. The cursor never has to go back, and a
run with no new events reads nothing twice.

CSAT answers write no event, so they are not copied here: reports read CsatSurvey directly.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, Q
from django.utils import timezone
from psycopg2.extras import execute_values

from analytics.models import RefreshState, TicketMetrics
from tickets.models import BusinessCalendar, Direction, Message, Status, Ticket, TicketEvent, Visibility
from tickets.rules.business_hours import business_time_between

# Events per transaction: bounds how long the cursor row stays locked.
BATCH_SIZE = 1000
# How long an id skipped over is looked for (the longest transaction that writes timeline events).
PENDING_TTL = timedelta(minutes=10)
# More skipped ids than this (a large rolled-back batch) are not worth remembering.
MAX_PENDING = 10_000
_DONE = {Status.SOLVED, Status.CLOSED}
_UPDATED = [f.name for f in TicketMetrics._meta.concrete_fields if not f.primary_key]


def refresh_metrics(*, limit: int = 5000) -> int:
    """Recompute the metrics of every ticket with timeline events after the cursor; returns how many tickets.

    Reads at most `limit` events, `BATCH_SIZE` per transaction. Each batch locks the cursor row with
    SKIP LOCKED: a second worker finds it busy and returns, leaving the work to the first. Idempotent.
    """
    refreshed = read = 0
    while read < limit:
        with transaction.atomic():
            state = _locked(skip_locked=True)
            if state is None:
                break
            now = timezone.now()
            pending = {int(pk): seen for pk, seen in state.pending_ids if now - _time(seen) < PENDING_TTL}
            rows = list(
                TicketEvent.objects.filter(Q(pk__gt=state.last_event_id) | Q(pk__in=list(pending)))
                .order_by("pk")
                .values_list("pk", "ticket_id")[: min(BATCH_SIZE, limit - read)]
            )
            new_ids = [pk for pk, _ in rows if pk > state.last_event_id]
            for pk, _ in rows:
                pending.pop(pk, None)
            if new_ids:
                if state.last_event_id:  # on a first run, ids below the first one are history, not in flight
                    pending.update(_skipped(state.last_event_id, new_ids, now))
                state.last_event_id = new_ids[-1]
            state.pending_ids = sorted(pending.items())[-MAX_PENDING:]
            state.refreshed_at = now
            state.save()
            refreshed += recompute_metrics({ticket_id for _, ticket_id in rows})
        read += len(rows)
        if len(rows) < BATCH_SIZE:
            break
    return refreshed


def rebuild_metrics(*, batch: int = 2000) -> Iterator[tuple[int, int]]:
    """Recompute every ticket's metrics, yielding (tickets done, total) per batch; then skip the cursor ahead.

    For a first install, or after business hours changed. Each batch holds the cursor lock, so it
    never overwrites what a refresh running beside it computed from newer data.
    """
    last_event_id = TicketEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    total = Ticket.objects.count()
    done = after = 0
    while ids := list(Ticket.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            _locked()
            recompute_metrics(ids)
        done, after = done + len(ids), ids[-1]
        yield done, total
    advance_cursor(to_event_id=last_event_id)


def recompute_metrics(ticket_ids: Iterable[int]) -> int:
    """Write the metrics of these tickets from their current state (delete them for merged or gone tickets).

    Nine queries at most whatever the number of tickets (SQLite splits the upsert into chunks).
    Returns how many rows were written.
    """
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    tickets = list(
        Ticket.objects.filter(pk__in=ids).values(
            "pk",
            "channel",
            "team_id",
            "assignee_id",
            "priority",
            "status",
            "merged_into_id",
            "created_at",
            "solved_at",
            "status_changed_at",
            "sla_policy_id",
            "sla_policy__calendar_id",
        )
    )
    calendars = _Calendars({t["sla_policy__calendar_id"] for t in tickets} - {None})
    messages: dict[int, list[tuple]] = defaultdict(list)
    for ticket_id, *row in (
        Message.objects.filter(ticket_id__in=ids)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "direction", "visibility", "automatic", "author_agent_id", "created_at")
    ):
        messages[ticket_id].append(tuple(row))
    status_changes: dict[int, list[tuple[dict, datetime]]] = defaultdict(list)
    for ticket_id, data, at in (
        TicketEvent.objects.filter(ticket_id__in=ids, kind=TicketEvent.Kind.STATUS_CHANGED)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "data", "created_at")
    ):
        status_changes[ticket_id].append((data, at))
    last_event = dict(
        TicketEvent.objects.filter(ticket_id__in=ids)
        .values("ticket_id")
        .annotate(last=Max("created_at"))
        .values_list("ticket_id", "last")
    )
    rows = [
        _metrics(t, messages[t["pk"]], status_changes[t["pk"]], calendars.for_ticket(t), last_event)
        for t in tickets
        if not t["merged_into_id"]
    ]
    _save(rows)
    gone = set(ids) - {row["ticket_id"] for row in rows}
    if gone:
        TicketMetrics.objects.filter(ticket_id__in=gone).delete()
    return len(rows)


def _save(rows: list[dict]) -> None:
    """Insert or update the rows in one statement.

    On PostgreSQL not with bulk_create: model instances and preparing each value through its field
    cost more than computing the metrics (about 0.3 ms a row); psycopg2 adapts plain values itself.
    """
    connection = connections[TicketMetrics.objects.db]
    if connection.vendor != "postgresql":
        TicketMetrics.objects.bulk_create(
            [TicketMetrics(**row) for row in rows],
            update_conflicts=True,
            unique_fields=["ticket"],
            update_fields=_UPDATED,
        )
        return
    if not rows:
        return
    fields = TicketMetrics._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in fields]
    sql = "INSERT INTO {} ({}) VALUES %s ON CONFLICT ({}) DO UPDATE SET {}".format(  # noqa: S608 (names from the model)
        quote(TicketMetrics._meta.db_table),
        ", ".join(columns),
        quote(TicketMetrics._meta.pk.column),
        ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != quote(TicketMetrics._meta.pk.column)),
    )
    values = [tuple(row[f.attname] for f in fields) for row in rows]
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, values, page_size=len(values))


class _Rows(tuple):
    """Prefetched rows that answer `.all()` like the related manager they stand in for."""

    def all(self) -> "_Rows":
        return self


@dataclass(frozen=True)
class _Calendar:
    """A business calendar read once. tickets.rules.business_hours reads only `zone`, `hours.all()`
    and `holidays.all()`; answering them from tuples spares two QuerySets per duration, which
    were most of the cost of a rebuild."""

    name: str
    zone: tzinfo
    hours: _Rows
    holidays: _Rows

    def __str__(self) -> str:
        return self.name


class _Calendars:
    """The calendars a batch of tickets counts business time in, read once with their hours and holidays."""

    def __init__(self, ids: set[int]):
        default = getattr(settings, "ANALYTICS_BUSINESS_CALENDAR", "")
        found: list[BusinessCalendar] = []
        if ids or default:
            query = Q(pk__in=ids) | Q(name=default) if default else Q(pk__in=ids)
            found = list(BusinessCalendar.objects.filter(query).prefetch_related("hours", "holidays"))
        self.by_id = {c.pk: _Calendar(c.name, c.zone, _Rows(c.hours.all()), _Rows(c.holidays.all())) for c in found}
        self.default = next((self.by_id[c.pk] for c in found if c.name == default), None)

    def for_ticket(self, ticket: dict) -> _Calendar | None:
        """The SLA policy's calendar, else the one named by ANALYTICS_BUSINESS_CALENDAR.

        None means around the clock (a policy without a calendar, or no default configured), and
        business durations then equal calendar ones. A ticket keeps the answer of its last recompute:
        after changing hours, `manage.py rebuild_analytics` recomputes history.
        """
        if ticket["sla_policy_id"]:
            return self.by_id.get(ticket["sla_policy__calendar_id"])
        return self.default


@dataclass
class _Conversation:
    first_customer_at: datetime | None = None
    first_response_at: datetime | None = None
    replies: int = 0
    waits: list[tuple[datetime, datetime]] | None = None


def _conversation(messages: list[tuple]) -> _Conversation:
    """Replies and waits of one ticket; machine-sent messages and internal notes are not part of it."""
    conv = _Conversation(waits=[])
    waiting_since = None
    for direction, visibility, automatic, agent_id, at in messages:
        if automatic:
            continue
        if direction == Direction.IN:
            conv.first_customer_at = conv.first_customer_at or at
            if conv.first_response_at and waiting_since is None:
                waiting_since = at
        elif visibility == Visibility.PUBLIC and agent_id is not None:
            conv.replies += 1
            if conv.first_response_at is None and conv.first_customer_at is not None:
                # Before the customer wrote (an agent started the conversation) nothing was a response.
                conv.first_response_at = at
            elif waiting_since is not None:
                conv.waits.append((waiting_since, at))
                waiting_since = None
    return conv


def _metrics(
    t: dict, messages: list[tuple], status_changes: list[tuple[dict, datetime]], calendar, last_event: dict
) -> dict:
    """One TicketMetrics row as field attnames and values."""
    conv = _conversation(messages)
    solves, reopened = [], 0
    for data, at in status_changes:
        was_done, is_done = data.get("from") in _DONE, data.get("to") in _DONE
        if is_done and not was_done and data.get("reason") != "merged":
            solves.append(at)
        elif was_done and not is_done:
            reopened += 1
    solved_at = None
    if t["status"] in _DONE:
        # Tickets older than their timeline (imported) fall back to the ticket's own times.
        solved_at = solves[-1] if solves else t["solved_at"] or t["status_changed_at"] or t["created_at"]
    first_solved_at = solves[0] if solves else solved_at
    created = t["created_at"]
    first = _durations(calendar, [(conv.first_customer_at, conv.first_response_at)])
    waits = _durations(calendar, conv.waits)
    resolution = _durations(calendar, [(created, first_solved_at)])
    full_resolution = resolution if solved_at == first_solved_at else _durations(calendar, [(created, solved_at)])
    return {
        "ticket_id": t["pk"],
        "channel": t["channel"],
        "team_id": t["team_id"],
        "assignee_id": t["assignee_id"],
        "priority": t["priority"],
        "created_at": created,
        "first_response_at": conv.first_response_at,
        "first_response_seconds": first[0],
        "first_response_business_seconds": first[1],
        "next_response_count": len(conv.waits),
        "next_response_seconds": waits[0],
        "next_response_business_seconds": waits[1],
        "first_solved_at": first_solved_at,
        "resolution_seconds": resolution[0],
        "resolution_business_seconds": resolution[1],
        "solved_at": solved_at,
        "full_resolution_seconds": full_resolution[0],
        "full_resolution_business_seconds": full_resolution[1],
        "replies_count": conv.replies,
        "reopened_count": reopened,
        "first_contact_resolution": solved_at is not None and conv.replies == 1 and reopened == 0,
        "last_event_at": last_event.get(t["pk"], created),
    }


def _durations(calendar, spans: list[tuple[datetime | None, datetime | None]]) -> tuple[int | None, int | None]:
    """Mean calendar and business seconds of the complete spans; None when there is none.

    Business seconds are None too for a calendar without hours (nothing is ever business time).
    """
    spans = [(start, end) for start, end in spans if start is not None and end is not None]
    if not spans:
        return None, None
    seconds = sum(max(0.0, (end - start).total_seconds()) for start, end in spans) / len(spans)
    try:
        business = sum(business_time_between(calendar, start, end).total_seconds() for start, end in spans)
    except ValueError:
        return round(seconds), None
    return round(seconds), round(business / len(spans))


def _locked(*, skip_locked: bool = False) -> RefreshState | None:
    """The metrics cursor, locked until the transaction ends; None if another worker holds it (skip_locked)."""
    RefreshState.objects.get_or_create(job=RefreshState.Job.METRICS)
    qs = RefreshState.objects.select_for_update(skip_locked=skip_locked).filter(job=RefreshState.Job.METRICS)
    return qs.first()


def _skipped(after: int, seen_ids: list[int], now: datetime) -> dict[int, str]:
    """Ids between `after` and the highest one read that were not read: not committed yet, or rolled back."""
    seen = set(seen_ids)
    missing = (pk for pk in range(after + 1, seen_ids[-1]) if pk not in seen)
    return {pk: now.isoformat() for pk in missing}


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def advance_cursor(*, to_event_id: int) -> None:
    """Move the cursor past events whose tickets were recomputed another way (a rebuild).

    Ids below `to_event_id` not visible yet are kept as pending, like those skipped in a refresh.
    """
    with transaction.atomic():
        state = _locked()
        if state is None or to_event_id <= state.last_event_id:
            return
        now = timezone.now()
        floor = max(state.last_event_id, to_event_id - MAX_PENDING)
        seen = list(
            TicketEvent.objects.filter(pk__gt=floor, pk__lte=to_event_id).order_by("pk").values_list("pk", flat=True)
        )
        pending = dict(state.pending_ids)
        pending.update(_skipped(floor, [*seen, to_event_id + 1], now))
        state.last_event_id, state.pending_ids = to_event_id, sorted(pending.items())[-MAX_PENDING:]
        state.save()
