"""The report functions on the two days of tickets in tests/analytics/conftest.py (`two_days`), with known answers."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import reports
from analytics.filters import ReportFilters
from analytics.models import IN_SAMPLE, SAMPLE_EVERY, TicketMetrics
from surveys.models import NpsCampaign, NpsResponse
from tests.analytics.conversations import FRIDAY_16, refreshed
from tests.factories import CustomerFactory
from tickets.models import Channel, SlaPolicy
from tickets.services import sla

pytestmark = pytest.mark.django_db

HOUR = 3600


def both_days(days, **filters) -> ReportFilters:
    return ReportFilters(start=days.monday, end=days.tuesday, **filters)


def daily(report: dict) -> list[tuple]:
    return [(d["created"], d["solved"], d["reopened"], d["backlog"]) for d in report["daily"]]


def test_volume_per_day_counts_each_solve_and_the_exact_backlog(two_days):
    report = reports.volume(both_days(two_days))

    # (created, solved, reopened, open at the end of the day): B was solved on Monday, reopened and
    # solved again on Tuesday, so Monday ends with only C open.
    assert daily(report) == [(3, 2, 0, 1), (1, 1, 1, 2)]
    assert report["totals"] == {"created": 4, "solved": 3, "backlog": 2}
    assert [d["day"] for d in report["daily"]] == ["2026-11-23", "2026-11-24"]


def test_a_past_range_walks_the_backlog_back_from_today(two_days):
    monday = reports.volume(ReportFilters(start=two_days.monday, end=two_days.monday))

    assert daily(monday) == [(3, 2, 0, 1)]
    assert monday["totals"]["backlog"] == 1


def test_channel_mix_and_heat_map(two_days):
    report = reports.volume(both_days(two_days))

    assert report["channels"] == [
        {"channel": "email", "label": "E-mail", "created": 3, "share": 0.75},
        {"channel": "sms", "label": "SMS", "created": 1, "share": 0.25},
    ]
    busy = {(c["weekday"], c["hour"]): c["created"] for c in report["heatmap"] if c["created"]}
    assert busy == {(1, 9): 1, (1, 10): 1, (1, 14): 1, (2, 8): 1}  # Monday 9, 10, 14 and Tuesday 8 o'clock
    assert len(report["heatmap"]) == 7 * 24


def test_days_and_hours_are_those_of_the_helpdesks_time_zone(settings, conversation):
    settings.TIME_ZONE = "America/New_York"
    conversation(at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC))  # Monday 22:00 in New York
    refreshed(today=datetime(2026, 11, 24).date())
    monday = datetime(2026, 11, 23).date()

    report = reports.volume(ReportFilters(start=monday, end=monday))

    assert report["totals"]["created"] == 1
    assert [(c["weekday"], c["hour"]) for c in report["heatmap"] if c["created"]] == [(1, 22)]


def test_speed_in_calendar_and_business_hours(two_days):
    rows = {row["metric"]: row for row in reports.speed(both_days(two_days))["metrics"]}

    # First responses: A 10 min, B 30 min, D 30 min.
    assert rows["first_response"] == {
        "metric": "first_response",
        "count": 3,
        "median_seconds": 1800.0,
        "p90_seconds": 1800.0,
        "business_median_seconds": 1800.0,  # no calendar configured: around the clock
        "business_p90_seconds": 1800.0,
        "sampled": False,
    }
    # Solved in the range: A (10 min, first contact) and B (first solved after an hour, last after 23h20).
    assert (rows["resolution"]["count"], rows["resolution"]["median_seconds"]) == (2, (600 + 3600) / 2)
    assert rows["full_resolution"]["p90_seconds"] == 600 + 0.9 * (84000 - 600)
    assert (rows["next_response"]["count"], rows["next_response"]["median_seconds"]) == (1, 1200.0)


def test_large_ranges_take_percentiles_from_a_sample_of_the_tickets(conversation, agent_alice, monkeypatch):
    monkeypatch.setattr(reports, "SAMPLE_ABOVE", SAMPLE_EVERY - 1)
    for n in range(SAMPLE_EVERY):  # consecutive ids: exactly one is a multiple of SAMPLE_EVERY
        ticket = conversation(at=FRIDAY_16, sender=f"c{n}@example.org")
        ticket.agent_replies(agent_alice, FRIDAY_16 + timedelta(minutes=n + 1))
    refreshed()
    (sampled,) = TicketMetrics.objects.filter(IN_SAMPLE)

    first = reports.speed(ReportFilters(start=FRIDAY_16.date(), end=FRIDAY_16.date()))["metrics"][0]

    assert (first["count"], first["sampled"]) == (SAMPLE_EVERY, True)  # the count is still of every ticket
    assert first["median_seconds"] == first["p90_seconds"] == sampled.first_response_seconds


def test_quality_first_contact_reopens_and_csat(two_days):
    report = reports.quality(both_days(two_days))

    assert report["resolution"] == {
        "solved": 2,
        "first_contact": 1,
        "first_contact_rate": 0.5,
        "reopened": 1,
        "reopen_rate": 0.5,
        "reopens": 1,
    }
    assert report["csat"] == {
        "sent": 3,
        "answered": 2,
        "good": 1,
        "satisfaction": 0.5,
        "average": 3.0,
        "response_rate": 0.6667,
    }


def test_sla_compliance_per_target(conversation, agent_alice, clock):
    SlaPolicy.objects.create(name="Fast", first_response_minutes=20)
    on_time = conversation(at=FRIDAY_16)
    late = conversation(at=FRIDAY_16, sender="sam@example.org")
    sla.reconcile(ticket_ids=[on_time.ticket.pk, late.ticket.pk], now=FRIDAY_16)
    on_time.agent_replies(agent_alice, FRIDAY_16 + timedelta(minutes=5))
    late.agent_replies(agent_alice, FRIDAY_16 + timedelta(minutes=25))
    sla.reconcile(ticket_ids=[on_time.ticket.pk, late.ticket.pk], now=clock.at)
    refreshed()

    report = reports.quality(ReportFilters(start=FRIDAY_16.date(), end=FRIDAY_16.date()))

    assert report["sla"][0] == {"target": "first_response", "met": 1, "breached": 1, "compliance": 0.5}
    assert report["sla"][2] == {"target": "resolution", "met": 0, "breached": 0, "compliance": None}


def test_nps_is_promoters_minus_detractors_with_recent_comments(two_days):
    campaign = NpsCampaign.objects.create(name="Autumn")
    answered = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for n, (score, comment) in enumerate([(10, "Great"), (9, ""), (8, "Fine"), (3, "Slow")]):
        NpsResponse.objects.create(
            campaign=campaign,
            customer=CustomerFactory(name=f"Customer {n}"),
            address=f"c{n}@example.org",
            answered_at=answered + timedelta(minutes=n),
            score=score,
            comment=comment,
        )

    nps = reports.quality(both_days(two_days))["nps"]

    assert (nps["answered"], nps["promoters"], nps["passives"], nps["detractors"]) == (4, 2, 1, 1)
    assert nps["score"] == 25  # 50% promoters - 25% detractors
    assert [(c["score"], c["comment"], c["customer"]) for c in nps["comments"]] == [
        (3, "Slow", "Customer 3"),
        (8, "Fine", "Customer 2"),
        (10, "Great", "Customer 0"),
    ]


def test_agents_table(two_days, agent_alice, agent_bob_same_team, agent_carl_other_team):
    rows = reports.agents(both_days(two_days))["agents"]

    assert [
        (r["name"], r["solved"], r["replies"], r["first_response_median_seconds"], r["csat_satisfaction"], r["open"])
        for r in rows
    ] == [
        ("Alice Agent", 1, 2, 1200.0, 1.0, 1),  # A and D: first responses of 10 and 30 minutes
        (agent_bob_same_team.display_name, 1, 2, 1800.0, 0.0, 0),
        (agent_carl_other_team.display_name, 0, 0, None, None, 1),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"channel": Channel.SMS}, [(1, 1, 0, 0), (0, 1, 1, 0)]),
        ({"priority": 3}, [(1, 1, 0, 0), (0, 1, 1, 0)]),
        ({"tag": "billing"}, [(1, 1, 0, 0), (0, 0, 0, 0)]),
        ({"tag": "all"}, [(3, 2, 0, 1), (1, 1, 1, 2)]),  # the same as no filter, computed from the tickets
    ],
)
def test_filters(two_days, filters, expected):
    assert daily(reports.volume(both_days(two_days, **filters))) == expected


def test_team_agent_and_organization_filters(two_days, team_billing, agent_bob_same_team):
    assert daily(reports.volume(both_days(two_days, team=team_billing.pk))) == [(1, 0, 0, 1), (0, 0, 0, 1)]
    bob = both_days(two_days, agent=agent_bob_same_team.pk)
    assert daily(reports.volume(bob)) == [(1, 1, 0, 0), (0, 1, 1, 0)]
    assert [(c["weekday"], c["hour"]) for c in reports.volume(bob)["heatmap"] if c["created"]] == [(1, 10)]
    assert [r["name"] for r in reports.agents(bob)["agents"]] == [agent_bob_same_team.display_name]
    globex = both_days(two_days, organization=two_days.a.customer.organization_id)
    assert reports.quality(globex)["csat"]["good"] == 1
    assert reports.speed(globex)["metrics"][0]["count"] == 1


def test_computed_from_tickets_the_numbers_equal_the_rollups(two_days):
    everything, tagged_all = both_days(two_days), both_days(two_days, tag="all")

    for report in (reports.volume, reports.speed, reports.quality, reports.agents):
        assert report(tagged_all) == report(everything)


@pytest.mark.parametrize("tag", [None, "all"])
def test_report_queries_do_not_grow_with_the_tickets(two_days, conversation, agent_alice, tag):
    f = both_days(two_days, tag=tag)

    def queries() -> list[int]:
        counts = []
        for report in (reports.volume, reports.speed, reports.quality, reports.agents, reports.self_service):
            with CaptureQueriesContext(connection) as captured:
                report(f)
            counts.append(len(captured))
        return counts

    before = queries()
    for n in range(6):
        ticket = conversation(at=datetime(2026, 11, 23, 12, n, tzinfo=UTC), sender=f"more{n}@example.org")
        ticket.agent_replies(agent_alice, datetime(2026, 11, 24, 12, n, tzinfo=UTC), solve=True)
    refreshed()

    assert queries() == before


def test_tables_and_csv(two_days):
    found = reports.tables(reports.quality(both_days(two_days)))

    assert list(found) == ["sla", "nps_comments", "summary"]
    assert found["summary"][0]["resolution_first_contact_rate"] == 0.5
    assert reports.as_csv(found["sla"]).splitlines()[:2] == [
        "target,met,breached,compliance",
        "first_response,0,0,",
    ]
