"""The daily roll-ups: what happened each day per channel, team and priority (and per agent), so reports
over months sum a few thousand rows instead of scanning tickets, messages and timelines.

`daily_facts` defines every count once; `write_rollups` stores them, and reports filtered by what the
roll-ups have no column for (tag, organization) call `daily_facts` directly. The grouping columns are
the ticket's current ones (a ticket moved to another team moves in the days rewritten afterwards).
Days no longer refreshed keep their counts; what can still change them later (a CSAT answer edited
within its week, a merge, a reassignment) is caught by `manage.py rebuild_analytics`.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.models import HOURS, DailyAgentRollup, DailyRollup, RefreshState, RollupCounts, TicketMetrics
from surveys.models import CsatSurvey
from tickets.models import Direction, Message, Status, TicketEvent, Visibility

KEYS = ("day", "channel", "team_id", "priority", "agent_id")
COUNTERS = [f.name for f in RollupCounts._meta.get_fields() if f.get_internal_type() == "PositiveIntegerField"]
SLA_TARGETS = ("first_response", "next_response", "resolution")
# CSAT answers of 4 and 5 are good; the good/bad scale stores good as 5 and bad as 1.
CSAT_GOOD = 4
DONE = [Status.SOLVED, Status.CLOSED]
_SLA_KINDS = {TicketEvent.Kind.SLA_MET: "met", TicketEvent.Kind.SLA_BREACHED: "breached"}


def refresh_rollups(*, days: int = 2, today: date | None = None) -> int:
    """Rewrite the roll-ups of the last `days` days (today included, in TIME_ZONE); returns the rows written."""
    end = today or timezone.localdate(timezone=timezone.get_default_timezone())
    return write_rollups(start=end - timedelta(days=days - 1), end=end)


def rebuild_rollups(*, days: int, chunk: int = 31) -> Iterator[tuple[int, int]]:
    """Rewrite the last `days` days, `chunk` days per transaction, newest first; yields (days done, days)."""
    end = timezone.localdate(timezone=timezone.get_default_timezone())
    for done in range(0, days, chunk):
        last = end - timedelta(days=done)
        write_rollups(start=last - timedelta(days=min(chunk, days - done) - 1), end=last)
        yield min(done + chunk, days), days


def write_rollups(*, start: date, end: date) -> int:
    """Replace both roll-ups' rows of days `start`..`end` with freshly computed ones; returns the rows written.

    Counts are computed first; then the roll-up lock is taken for the deletes and inserts, in one
    transaction, so two workers never interleave their rows and readers see old days or new ones.
    """
    facts = daily_facts(start, end)
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS + HOURS, 0))
    for fact in facts:
        counts = totals[tuple(fact[k] for k in KEYS[:-1])]
        for counter in COUNTERS + HOURS:
            counts[counter] += fact.get(counter, 0)
    rows = [DailyRollup(**dict(zip(KEYS[:-1], key, strict=True)), **counts) for key, counts in totals.items()]
    per_agent = [DailyAgentRollup(**{name: n for name, n in fact.items() if name not in HOURS}) for fact in facts]
    with transaction.atomic():
        RefreshState.objects.get_or_create(job=RefreshState.Job.ROLLUPS)
        state = RefreshState.objects.select_for_update().get(job=RefreshState.Job.ROLLUPS)
        for model, new in ((DailyRollup, rows), (DailyAgentRollup, per_agent)):
            model.objects.filter(day__range=(start, end)).delete()
            model.objects.bulk_create(new, batch_size=2000)
        state.refreshed_at = timezone.now()
        state.save(update_fields=["refreshed_at"])
    return len(rows) + len(per_agent)


def daily_facts(start: date, end: date, filters: ReportFilters | None = None) -> list[dict]:
    """Every roll-up count of days `start`..`end`, one dict per KEYS with its non-zero COUNTERS and HOURS.

    Seven grouped queries whatever the volume. `filters` restricts the tickets (all but `agent`,
    which callers apply to the `agent_id` key). Agent is the assignee, the author for replies.
    """
    scope = filters or ReportFilters(start=start, end=end)
    lo, hi = ReportFilters(start=start, end=end).bounds
    metrics = TicketMetrics.objects.filter(scope.tickets_q())
    # Events, messages and surveys of a day belong to tickets with an event since: an index range on
    # TicketMetrics that keeps the scans of the big tables to recently active tickets.
    active = scope.tickets_q("ticket__metrics__") & Q(ticket__metrics__last_event_at__gte=lo)
    facts: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS + HOURS, 0))

    def add(rows: list[dict], **counters: str) -> None:
        for row in rows:
            counts = facts[tuple(row[k] for k in KEYS)]
            for counter, column in counters.items():
                counts[counter] += row[column] or 0

    zone = timezone.get_default_timezone()
    created = metrics.filter(created_at__gte=lo, created_at__lt=hi).annotate(
        hour=ExtractHour("created_at", tzinfo=zone)
    )
    for row in _grouped(created, "created_at", extra=("hour",), n=Count("pk")):
        add([row], created="n", **{HOURS[row["hour"]]: "n"})
    answered = metrics.filter(first_response_at__gte=lo, first_response_at__lt=hi)
    add(_grouped(answered, "first_response_at", n=Count("pk")), answered="n")
    resolved = _grouped(
        metrics.filter(solved_at__gte=lo, solved_at__lt=hi),
        "solved_at",
        n=Count("pk"),
        fcr=Count("pk", filter=Q(first_contact_resolution=True)),
        reopened=Count("pk", filter=Q(reopened_count__gt=0)),
        next_response=Count("pk", filter=Q(next_response_count__gt=0)),
    )
    add(
        resolved,
        resolved="n",
        resolved_first_contact="fcr",
        resolved_reopened="reopened",
        resolved_next_response="next_response",
    )
    solve = Q(data__to__in=DONE) & ~Q(data__from__in=DONE) & ~Q(data__reason="merged")
    reopen = Q(data__from__in=DONE) & ~Q(data__to__in=DONE)
    events = (
        TicketEvent.objects.filter(active, created_at__gte=lo, created_at__lt=hi)
        .filter(Q(kind__in=list(_SLA_KINDS)) | Q(kind=TicketEvent.Kind.STATUS_CHANGED) & (solve | reopen))
        .annotate(target=KT("data__target"), to=KT("data__to"))
    )
    for row in _grouped(events, "created_at", "ticket__metrics__", extra=("kind", "target", "to"), n=Count("pk")):
        if row["kind"] == TicketEvent.Kind.STATUS_CHANGED:
            add([row], **{"solved" if row["to"] in DONE else "reopened": "n"})
        elif row["target"] in SLA_TARGETS:
            add([row], **{f"sla_{row['target']}_{_SLA_KINDS[row['kind']]}": "n"})
    replies = Message.objects.filter(
        active,
        created_at__gte=lo,
        created_at__lt=hi,
        direction=Direction.OUT,
        visibility=Visibility.PUBLIC,
        automatic="",
        author_agent__isnull=False,
    )
    add(_grouped(replies, "created_at", "ticket__metrics__", agent="author_agent_id", n=Count("pk")), replies="n")
    sent = CsatSurvey.objects.filter(active, sent_at__gte=lo, sent_at__lt=hi)
    add(_grouped(sent, "sent_at", "ticket__metrics__", n=Count("pk")), csat_sent="n")
    # Answering writes no timeline event, so answers are found by their own index instead.
    answers = CsatSurvey.objects.filter(
        scope.tickets_q("ticket__metrics__"),
        ticket__metrics__isnull=False,
        answered_at__gte=lo,
        answered_at__lt=hi,
        score__isnull=False,
    )
    add(
        _grouped(
            answers,
            "answered_at",
            "ticket__metrics__",
            n=Count("pk"),
            good=Count("pk", filter=Q(score__gte=CSAT_GOOD)),
            total=Sum("score"),
        ),
        csat_answered="n",
        csat_good="good",
        csat_score_sum="total",
    )
    return [
        dict(zip(KEYS, key, strict=True)) | {name: n for name, n in counts.items() if n}
        for key, counts in facts.items()
        if any(counts.values())
    ]


def _grouped(
    qs: QuerySet,
    day_field: str,
    metrics: str = "",
    *,
    agent: str | None = None,
    extra: tuple[str, ...] = (),
    **aggregates,
) -> list[dict]:
    """`aggregates` of `qs` grouped by the local day of `day_field` and the ticket's grouping columns.

    Rows are keyed as KEYS; `metrics` is the path to TicketMetrics, `agent` the agent's if not the assignee.
    """
    keys = {
        "g_day": TruncDate(day_field, tzinfo=timezone.get_default_timezone()),
        "g_channel": F(f"{metrics}channel"),
        "g_team_id": F(f"{metrics}team_id"),
        "g_priority": F(f"{metrics}priority"),
        "g_agent_id": F(agent or f"{metrics}assignee_id"),
    }
    rows = qs.order_by().values(*extra, **keys).annotate(**aggregates)
    # Annotations may not reuse the models' field names, hence the prefix while in SQL.
    return [{name.removeprefix("g_"): value for name, value in row.items()} for row in rows]
