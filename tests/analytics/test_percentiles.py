"""Median and p90 as PostgreSQL's percentile_cont computes them, on every database."""

import random

import pytest
from django.db import connection
from django.utils import timezone

from analytics import percentiles
from analytics.models import TicketMetrics
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def metrics(values: list[int | None], assignee=None) -> None:
    now = timezone.now()
    TicketMetrics.objects.bulk_create(
        TicketMetrics(
            ticket=TicketFactory(),
            channel="email",
            priority=2,
            assignee=assignee,
            created_at=now,
            last_event_at=now,
            first_response_seconds=value,
        )
        for value in values
    )


def test_median_and_p90_interpolate_between_values(agent_alice, agent_bob_same_team):
    metrics([100, 10, 40, 30, 20, None], assignee=agent_alice)  # the empty one is left out
    metrics([7], assignee=agent_bob_same_team)

    overall = percentiles.spreads(TicketMetrics.objects.all(), ["first_response_seconds"])
    by_agent = percentiles.spreads(TicketMetrics.objects.all(), ["first_response_seconds"], by="assignee_id")

    assert overall[None]["first_response_seconds"] == {"count": 6, "median": 25.0, "p90": 70.0}
    assert by_agent[agent_alice.pk]["first_response_seconds"] == {"count": 5, "median": 30.0, "p90": 76.0}
    assert by_agent[agent_bob_same_team.pk]["first_response_seconds"] == {"count": 1, "median": 7.0, "p90": 7.0}


def test_no_values_give_no_percentiles():
    found = percentiles.spreads(TicketMetrics.objects.all(), ["first_response_seconds"])

    assert found == {None: {"first_response_seconds": {"count": 0, "median": None, "p90": None}}}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's percentile_cont")
def test_the_window_query_agrees_with_percentile_cont(agent_alice):
    rng = random.Random(7)
    metrics([rng.randint(0, 10_000) for _ in range(301)], assignee=agent_alice)
    metrics([rng.randint(0, 50) for _ in range(2)])
    qs = TicketMetrics.objects.all()

    expected = percentiles.spreads(qs, ["first_response_seconds"], by="assignee_id")
    ranked = percentiles._ranked(qs, "first_response_seconds", "assignee_id")

    assert ranked.keys() == expected.keys()
    for group, (count, (median, p90)) in ranked.items():
        spread = expected[group]["first_response_seconds"]
        assert (count, median, p90) == (spread["count"], pytest.approx(spread["median"]), pytest.approx(spread["p90"]))
