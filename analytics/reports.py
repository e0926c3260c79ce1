"""The numbers of the analytics dashboard and of /api/v1/reports/: plain functions returning JSON-ready data.

Each takes a `ReportFilters` (a range of days in TIME_ZONE plus optional channel, team, agent,
priority, tag, organization) and runs a fixed number of queries whatever the number of tickets:
counts come from the daily roll-ups (analytics/rollups.py; the per-agent one for an agent), or,
filtered by tag or organization, from the same definitions computed over the tickets; percentiles,
the heat map and open tickets come from TicketMetrics. Durations are seconds, rates fractions
from 0 to 1, days ISO strings. `tables()` and `as_csv()` turn any report into CSV downloads, one
per chart or table.
"""

import csv
import dataclasses
import io
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, TypedDict

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.models import HOURS, IN_SAMPLE, DailyAgentRollup, DailyRollup, TicketMetrics
from analytics.percentiles import Spread, spreads
from analytics.rollups import SLA_TARGETS, daily_facts
from surveys.models import NpsResponse
from tickets.models import Channel

# NPS comments shown with the score, newest first.
RECENT_COMMENTS = 10
# Percentiles over more tickets than this come from every SAMPLE_EVERY-th one (analytics.models),
# 15,000 or more: sorting all of them took most of the dashboard's time (about 700 ms for 90 days
# of a million tickets). In bench/reports.py the sample's medians and 90th percentiles were within
# 5% of every ticket's, mostly within 2% (it prints the gaps). Raise it to get exact figures.
SAMPLE_ABOVE = 60_000
_NONE = Spread(count=0, median=None, p90=None)
# What changes the backlog each day.
_FLOWS = ["created", "solved", "reopened"]


class DayRow(TypedDict):
    day: str
    created: int
    solved: int
    reopened: int
    backlog: int  # open at the end of the day


class ChannelRow(TypedDict):
    channel: str
    label: str
    created: int
    share: float | None


class HeatCell(TypedDict):
    weekday: int  # 1 = Monday ... 7 = Sunday
    hour: int  # 0-23, in TIME_ZONE
    created: int


class SpeedRow(TypedDict):
    metric: str  # first_response, next_response, resolution, full_resolution
    count: int
    median_seconds: float | None
    p90_seconds: float | None
    business_median_seconds: float | None
    business_p90_seconds: float | None
    sampled: bool


class AgentRow(TypedDict):
    agent: int
    name: str
    solved: int
    replies: int
    first_response_median_seconds: float | None
    csat_answered: int
    csat_good: int
    csat_satisfaction: float | None
    open: int  # now, whatever the range


def volume(f: ReportFilters) -> dict:
    """Created, solved, reopened and backlog per day; created per channel; created per weekday and hour.

    Returns {"start", "end", "totals": {"created", "solved", "backlog"}, "daily": [DayRow] (every day
    of the range), "channels": [ChannelRow] (most first), "heatmap": [HeatCell] (all 168 cells)}.
    `solved` counts each time a ticket was solved; the backlog is the tickets open now, walked back
    through each later day (open at the end of D-1 = at the end of D - created + solved - reopened
    on D), so between roll-up refreshes past days are off by the changes of the last minutes.
    """
    # The per-agent roll-up has no hourly columns: a report about one agent counts its tickets.
    hourly = not f.agent or f.needs_tickets
    # One grouping for the days, the channels and the hours: computed from the tickets, that is
    # the expensive part, so it is done once.
    by_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_channel: dict[str, int] = defaultdict(int)
    for row in _sums(f, ("day", "channel"), _FLOWS + (HOURS if hourly else [])):
        by_channel[row["channel"]] += row["created"]
        for name, n in row.items():
            if name not in ("day", "channel"):
                by_day[row["day"]][name] += n
    open_at_end = _open_at_end(f)
    daily: list[DayRow] = []
    for day in reversed(f.days):
        flows = {name: by_day[day][name] for name in _FLOWS}
        daily.append(DayRow(day=day.isoformat(), **flows, backlog=open_at_end))
        open_at_end += flows["solved"] - flows["created"] - flows["reopened"]
    daily.reverse()
    created = sum(row["created"] for row in daily)
    channels = [
        ChannelRow(channel=channel, label=Channel(channel).label, created=n, share=_ratio(n, created))
        for channel, n in sorted(by_channel.items(), key=lambda item: (-item[1], item[0]))
        if n
    ]
    counts: dict[tuple[int, int], int] = defaultdict(int)
    if hourly:
        for day, row in by_day.items():
            for hour, name in enumerate(HOURS):
                counts[(day.isoweekday(), hour)] += row[name]
    else:
        zone = timezone.get_default_timezone()
        lo, hi = f.bounds
        cells = (
            TicketMetrics.objects.filter(f.metrics_q(), created_at__gte=lo, created_at__lt=hi)
            .order_by()
            .values(weekday=ExtractIsoWeekDay("created_at", tzinfo=zone), hour=ExtractHour("created_at", tzinfo=zone))
            .annotate(n=Count("pk"))
        )
        counts.update({(cell["weekday"], cell["hour"]): cell["n"] for cell in cells})
    return {
        "start": f.start.isoformat(),
        "end": f.end.isoformat(),
        "totals": {"created": created, "solved": sum(row["solved"] for row in daily), "backlog": daily[-1]["backlog"]},
        "daily": daily,
        "channels": channels,
        "heatmap": [
            HeatCell(weekday=weekday, hour=hour, created=counts.get((weekday, hour), 0))
            for weekday in range(1, 8)
            for hour in range(24)
        ],
    }


def speed(f: ReportFilters) -> dict:
    """Median and 90th percentile of response and resolution times, in calendar and business hours.

    First response counts tickets first answered in the range; the others, tickets solved in it.
    Next response is each ticket's mean wait for an answer to a customer's later message; resolution
    runs from creation to the first solve, full resolution to the last. `count` is the tickets with
    the figure; past SAMPLE_ABOVE of them the percentiles come from the sample (`sampled`).
    Returns {"start", "end", "metrics": [SpeedRow]}.
    """
    lo, hi = f.bounds
    metrics = TicketMetrics.objects.filter(f.metrics_q())
    # Ticket counts come from the roll-up, which answers before any percentile is sorted.
    counts = None if f.needs_tickets else _sums(f, (), ["answered", "resolved", "resolved_next_response"])[0]
    answered, answered_sampled = _sampled(
        metrics.filter(first_response_at__gte=lo, first_response_at__lt=hi), counts["answered"] if counts else None
    )
    solved, solved_sampled = _sampled(
        metrics.filter(solved_at__gte=lo, solved_at__lt=hi), counts["resolved"] if counts else None
    )
    found = spreads(answered, ["first_response_seconds", "first_response_business_seconds"])[None]
    later = ["next_response", "resolution", "full_resolution"]
    found |= spreads(solved, [f"{name}{kind}_seconds" for name in later for kind in ("", "_business")])[None]
    population = {"first_response": "answered", "next_response": "resolved_next_response"}
    rows = []
    for name in ["first_response", *later]:
        calendar, business = found[f"{name}_seconds"], found[f"{name}_business_seconds"]
        rows.append(
            SpeedRow(
                metric=name,
                count=counts[population.get(name, "resolved")] if counts else calendar["count"],
                median_seconds=_round(calendar["median"]),
                p90_seconds=_round(calendar["p90"]),
                business_median_seconds=_round(business["median"]),
                business_p90_seconds=_round(business["p90"]),
                sampled=answered_sampled if name == "first_response" else solved_sampled,
            )
        )
    return {"start": f.start.isoformat(), "end": f.end.isoformat(), "metrics": rows}


def quality(f: ReportFilters) -> dict:
    """SLA compliance per target, first-contact resolution, reopens, CSAT and NPS.

    Returns {"start", "end",
     "sla": [{"target", "met", "breached", "compliance"}] (targets settled in the range),
     "resolution": {"solved", "first_contact", "first_contact_rate", "reopened", "reopen_rate", "reopens"}
       (of tickets solved in the range: solved at the first answer, or reopened before; `reopens`
       counts reopenings that happened in the range),
     "csat": {"sent", "answered", "good", "satisfaction" (good / answered), "average" (1-5),
       "response_rate" (answers received per survey sent in the range)},
     "nps": {"answered", "promoters", "passives", "detractors", "score" (-100..100),
       "comments": [{"score", "comment", "answered_at", "customer", "campaign"}]}}.
    NPS answers belong to campaigns, not tickets: of the filters only organization applies to them.
    """
    counters = [
        *(f"sla_{target}_{outcome}" for target in SLA_TARGETS for outcome in ("met", "breached")),
        "resolved",
        "resolved_first_contact",
        "resolved_reopened",
        "reopened",
        "csat_sent",
        "csat_answered",
        "csat_good",
        "csat_score_sum",
    ]
    t = _sums(f, (), counters)[0]
    sla = [
        {
            "target": target,
            "met": t[f"sla_{target}_met"],
            "breached": t[f"sla_{target}_breached"],
            "compliance": _ratio(t[f"sla_{target}_met"], t[f"sla_{target}_met"] + t[f"sla_{target}_breached"]),
        }
        for target in SLA_TARGETS
    ]
    average = t["csat_score_sum"] / t["csat_answered"] if t["csat_answered"] else None
    return {
        "start": f.start.isoformat(),
        "end": f.end.isoformat(),
        "sla": sla,
        "resolution": {
            "solved": t["resolved"],
            "first_contact": t["resolved_first_contact"],
            "first_contact_rate": _ratio(t["resolved_first_contact"], t["resolved"]),
            "reopened": t["resolved_reopened"],
            "reopen_rate": _ratio(t["resolved_reopened"], t["resolved"]),
            "reopens": t["reopened"],
        },
        "csat": {
            "sent": t["csat_sent"],
            "answered": t["csat_answered"],
            "good": t["csat_good"],
            "satisfaction": _ratio(t["csat_good"], t["csat_answered"]),
            "average": _round(average, 2),
            "response_rate": _ratio(t["csat_answered"], t["csat_sent"]),
        },
        "nps": _nps(f),
    }


def agents(f: ReportFilters) -> dict:
    """Per agent: tickets solved, public replies written, median first response and CSAT of their
    tickets in the range, and their open tickets now. Returns {"start", "end", "sampled" (medians
    from the sample, as in `speed`), "agents": [AgentRow]} for agents with any of these, by name.
    """
    counters = ["resolved", "replies", "answered", "csat_answered", "csat_good"]
    sums = {row["agent_id"]: row for row in _sums(f, ("agent_id",), counters)}
    lo, hi = f.bounds
    metrics = TicketMetrics.objects.filter(f.metrics_q())
    answered = None if f.needs_tickets else sum(row["answered"] for row in sums.values())
    firsts, sampled = _sampled(metrics.filter(first_response_at__gte=lo, first_response_at__lt=hi), answered)
    first = spreads(firsts, ["first_response_seconds"], by="assignee_id")
    load = dict(
        metrics.filter(solved_at__isnull=True, assignee__isnull=False)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("assignee_id", "n")
    )
    ids = ({*sums, *first, *load}) - {None}
    people = get_user_model().objects.filter(pk__in=ids).only("username", "first_name", "last_name")
    names = {person.pk: person.display_name for person in people}
    rows = []
    for agent in sorted(ids, key=lambda pk: (names.get(pk, "").lower(), pk)):
        counts = sums.get(agent, {})
        answered, good = counts.get("csat_answered", 0), counts.get("csat_good", 0)
        rows.append(
            AgentRow(
                agent=agent,
                name=names.get(agent, ""),
                solved=counts.get("resolved", 0),
                replies=counts.get("replies", 0),
                first_response_median_seconds=_round(
                    first.get(agent, {}).get("first_response_seconds", _NONE)["median"]
                ),
                csat_answered=answered,
                csat_good=good,
                csat_satisfaction=_ratio(good, answered),
                open=load.get(agent, 0),
            )
        )
    return {"start": f.start.isoformat(), "end": f.end.isoformat(), "sampled": sampled, "agents": rows}


def self_service(f: ReportFilters) -> dict:
    """Help-centre views, searches without a result and tickets deflected by suggested articles.

    None (and `available` False) until the knowledge base offers these numbers through its selectors;
    then they are read here for the same range (f.days or f.bounds), keeping this shape.
    """
    return {
        "start": f.start.isoformat(),
        "end": f.end.isoformat(),
        "available": False,
        "article_views": None,
        "searches_without_result": None,
        "deflected_tickets": None,
    }


def tables(report: dict) -> dict[str, list[dict]]:
    """A report's tables for CSV export, in report order: each list of rows under its key (nested keys
    joined by "_", e.g. "nps_comments"), then "summary": one row of all its single values."""
    found: dict[str, list[dict]] = {}
    summary: dict[str, Any] = {}

    def walk(prefix: str, value: dict) -> None:
        for key, item in value.items():
            if isinstance(item, list):
                found[prefix + key] = item
            elif isinstance(item, dict):
                walk(f"{prefix}{key}_", item)
            else:
                summary[prefix + key] = item

    walk("", report)
    return found | {"summary": [summary]}


def as_csv(rows: list[dict]) -> str:
    """Rows as CSV text with a header line; columns in first-seen order, empty cells for None."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)
    return out.getvalue()


def _sums(f: ReportFilters, keys: tuple[str, ...], counters: list[str]) -> list[dict]:
    """`counters` summed over the range per `keys` (no keys: one row): from a roll-up (the per-agent one
    for an agent), or computed from the tickets when a filter is not a roll-up column."""
    if f.needs_tickets:
        grouped: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(counters, 0))
        for fact in daily_facts(f.start, f.end, f):
            if f.agent and fact["agent_id"] != f.agent:
                continue
            sums = grouped[tuple(fact[k] for k in keys)]
            for counter in counters:
                sums[counter] += fact.get(counter, 0)
        rows = [dict(zip(keys, key, strict=True)) | sums for key, sums in grouped.items()]
    else:
        # Aliased: an annotation may not take a field's name.
        aggregates = {f"sum_{counter}": Sum(counter) for counter in counters}
        model = DailyAgentRollup if f.agent or "agent_id" in keys else DailyRollup
        qs = model.objects.filter(f.rollup_q()).order_by()
        found = qs.values(*keys).annotate(**aggregates) if keys else [qs.aggregate(**aggregates)]
        rows = [
            {key: row[key] for key in keys} | {counter: row[f"sum_{counter}"] or 0 for counter in counters}
            for row in found
        ]
    return rows if rows or keys else [dict.fromkeys(counters, 0)]


def _sampled(qs: QuerySet[TicketMetrics], tickets: int | None) -> tuple[QuerySet[TicketMetrics], bool]:
    """`qs`, or its sample when it holds more than SAMPLE_ABOVE tickets (None: not known, never sampled)."""
    if tickets is not None and tickets > SAMPLE_ABOVE:
        return qs.filter(IN_SAMPLE), True
    return qs, False


def _open_at_end(f: ReportFilters) -> int:
    """Tickets open at the end of `f.end`: those open now, less what changed on the days since."""
    open_now = TicketMetrics.objects.filter(f.metrics_q(), solved_at__isnull=True).count()
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    if f.end >= today:
        return open_now
    later = _sums(dataclasses.replace(f, start=f.end + timedelta(days=1), end=today), (), _FLOWS)[0]
    return open_now - later["created"] + later["solved"] - later["reopened"]


def _nps(f: ReportFilters) -> dict:
    lo, hi = f.bounds
    answers = NpsResponse.objects.filter(answered_at__gte=lo, answered_at__lt=hi, score__isnull=False)
    if f.organization:
        answers = answers.filter(customer__organization_id=f.organization)
    counts = answers.aggregate(
        promoters=Count("pk", filter=Q(score__gte=9)),
        passives=Count("pk", filter=Q(score__in=[7, 8])),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    answered = sum(counts.values())
    comments = (
        answers.exclude(comment="")
        .order_by("-answered_at", "-id")
        .values("score", "comment", "answered_at", "customer__name", "campaign__name")[:RECENT_COMMENTS]
    )
    return {
        "answered": answered,
        **counts,
        "score": round(100 * (counts["promoters"] - counts["detractors"]) / answered) if answered else None,
        "comments": [
            {
                "score": c["score"],
                "comment": c["comment"],
                "answered_at": c["answered_at"].isoformat(),
                "customer": c["customer__name"],
                "campaign": c["campaign__name"],
            }
            for c in comments
        ],
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
