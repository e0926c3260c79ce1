"""Per-ticket metric definitions on hand-built tickets with known answers."""

from datetime import time, timedelta

import pytest

from analytics.models import TicketMetrics
from tests.analytics.conversations import FRIDAY_16, MONDAY_10
from tickets.models import BusinessCalendar, BusinessHours, SlaPolicy, Status
from tickets.services import merge_tickets, reply, sla

pytestmark = pytest.mark.django_db

HOUR = 3600


def test_first_response_over_a_weekend_counts_two_business_hours(conversation, agent_alice, office_hours):
    ticket = conversation(at=FRIDAY_16).agent_replies(agent_alice, MONDAY_10)

    metrics = ticket.refreshed_metrics()

    assert metrics.first_response_at == MONDAY_10
    assert metrics.first_response_seconds == 66 * HOUR  # Friday 16:00 to Monday 10:00
    assert metrics.first_response_business_seconds == 2 * HOUR  # Friday 16-17, Monday 9-10


def test_without_a_default_calendar_business_time_is_calendar_time(conversation, agent_alice):
    ticket = conversation(at=FRIDAY_16).agent_replies(agent_alice, MONDAY_10)

    metrics = ticket.refreshed_metrics()

    assert metrics.first_response_business_seconds == metrics.first_response_seconds == 66 * HOUR


def test_the_sla_policys_calendar_wins_over_the_default(conversation, agent_alice, office_hours):
    weekends = BusinessCalendar.objects.create(name="Weekend desk", time_zone="UTC")
    for weekday in (5, 6):
        BusinessHours.objects.create(calendar=weekends, weekday=weekday, opens=time(10), closes=time(12))
    SlaPolicy.objects.create(name="Weekend", calendar=weekends, first_response_minutes=60)
    ticket = conversation(at=FRIDAY_16)
    sla.reconcile(ticket_ids=[ticket.ticket.pk], now=FRIDAY_16)

    metrics = ticket.agent_replies(agent_alice, MONDAY_10).refreshed_metrics()

    assert metrics.first_response_business_seconds == 4 * HOUR  # Saturday and Sunday 10-12


def test_resolution_and_first_contact_resolution(conversation, agent_alice, office_hours):
    ticket = conversation(at=FRIDAY_16).agent_replies(agent_alice, MONDAY_10 + timedelta(hours=2), solve=True)

    metrics = ticket.refreshed_metrics()

    assert metrics.solved_at == metrics.first_solved_at == MONDAY_10 + timedelta(hours=2)
    assert metrics.resolution_seconds == metrics.full_resolution_seconds == 68 * HOUR
    assert metrics.resolution_business_seconds == metrics.full_resolution_business_seconds == 4 * HOUR
    assert (metrics.replies_count, metrics.reopened_count, metrics.first_contact_resolution) == (1, 0, True)


def test_a_reopened_ticket_counts_the_reopening_and_is_no_first_contact_resolution(conversation, agent_alice):
    ticket = conversation(at=FRIDAY_16).agent_replies(agent_alice, FRIDAY_16 + timedelta(hours=1), solve=True)
    ticket.customer_writes(FRIDAY_16 + timedelta(hours=3))  # "still broken": reopens it

    reopened = ticket.refreshed_metrics()
    assert (reopened.solved_at, reopened.reopened_count, reopened.first_contact_resolution) == (None, 1, False)
    assert reopened.first_solved_at == FRIDAY_16 + timedelta(hours=1)  # the first resolution still counts

    ticket.agent_replies(agent_alice, FRIDAY_16 + timedelta(hours=5), solve=True)
    solved = ticket.refreshed_metrics()

    assert solved.resolution_seconds == 1 * HOUR
    assert solved.full_resolution_seconds == 5 * HOUR
    assert (solved.replies_count, solved.reopened_count, solved.first_contact_resolution) == (2, 1, False)


def test_solved_with_two_replies_is_no_first_contact_resolution(conversation, agent_alice, agent_bob_same_team):
    ticket = conversation(at=FRIDAY_16).agent_replies(agent_alice, FRIDAY_16 + timedelta(minutes=5))
    ticket.agent_replies(agent_bob_same_team, FRIDAY_16 + timedelta(minutes=9), solve=True)

    metrics = ticket.refreshed_metrics()

    assert (metrics.replies_count, metrics.first_contact_resolution) == (2, False)


def test_next_response_is_the_wait_after_a_customers_later_message(conversation, agent_alice):
    ticket = conversation(at=FRIDAY_16).agent_replies(agent_alice, FRIDAY_16 + timedelta(minutes=10))
    ticket.customer_writes(FRIDAY_16 + timedelta(hours=1))
    ticket.customer_writes(FRIDAY_16 + timedelta(hours=1, minutes=5))  # the wait runs from the first of these
    ticket.agent_replies(agent_alice, FRIDAY_16 + timedelta(hours=1, minutes=30))

    metrics = ticket.refreshed_metrics()

    assert (metrics.first_response_seconds, metrics.next_response_count) == (600, 1)
    assert metrics.next_response_seconds == 30 * 60


def test_notes_are_not_responses(conversation, agent_alice, clock):
    ticket = conversation(at=FRIDAY_16)
    clock.at = FRIDAY_16 + timedelta(minutes=1)
    reply(ticket=ticket.ticket, author=agent_alice, text="Looking", internal=True)

    metrics = ticket.refreshed_metrics()

    assert (metrics.first_response_at, metrics.replies_count) == (None, 0)


def test_closing_without_solving_counts_as_resolved_and_solved_then_closed_keeps_the_solve(conversation, agent_alice):
    closed = conversation(at=FRIDAY_16).agent_sets(agent_alice, FRIDAY_16 + timedelta(hours=2), status=Status.CLOSED)
    solved = conversation(at=FRIDAY_16, sender="sam@example.org")
    solved.agent_replies(agent_alice, FRIDAY_16 + timedelta(hours=1), solve=True)
    solved.agent_sets(agent_alice, FRIDAY_16 + timedelta(hours=4), status=Status.CLOSED)

    assert closed.refreshed_metrics().full_resolution_seconds == 2 * HOUR
    assert solved.refreshed_metrics().full_resolution_seconds == 1 * HOUR


def test_a_ticket_merged_into_another_leaves_the_metrics(conversation, agent_alice, clock):
    source = conversation(at=FRIDAY_16)
    target = conversation(at=FRIDAY_16 + timedelta(minutes=1), sender="sam@example.org")
    source.refreshed_metrics()

    clock.at = FRIDAY_16 + timedelta(minutes=2)
    merge_tickets(source=source.ticket, target=target.ticket, by=agent_alice)
    target.refreshed_metrics()

    assert list(TicketMetrics.objects.values_list("ticket_id", flat=True)) == [target.ticket.pk]


def test_grouping_fields_follow_the_ticket(conversation, agent_alice, team_support):
    ticket = conversation(at=FRIDAY_16)
    ticket.agent_sets(
        agent_alice, FRIDAY_16 + timedelta(minutes=1), team=team_support, assignee=agent_alice, priority=3
    )

    metrics = ticket.refreshed_metrics()

    assert (metrics.team, metrics.assignee, metrics.priority, metrics.channel) == (
        team_support,
        agent_alice,
        3,
        "email",
    )
