"""Keeping the metrics current: only tickets with new timeline events are recomputed, once each."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from analytics import metrics
from analytics.metrics import refresh_metrics
from analytics.models import DailyAgentRollup, DailyRollup, RefreshState, TicketMetrics
from analytics.tasks import refresh_metrics_task, refresh_rollups_task
from tests.analytics.conversations import FRIDAY_16
from tickets.models import Priority, TicketEvent
from tickets.services import update_ticket

pytestmark = pytest.mark.django_db


def test_a_refresh_picks_up_only_new_events_and_a_second_run_does_nothing(conversation, agent_alice):
    first = conversation(at=FRIDAY_16)
    second = conversation(at=FRIDAY_16, sender="sam@example.org")
    assert refresh_metrics() == 2

    second.agent_replies(agent_alice, FRIDAY_16 + timedelta(minutes=7))

    assert refresh_metrics() == 1  # only the ticket that changed
    assert refresh_metrics() == 0
    assert TicketMetrics.objects.get(ticket=second.ticket).first_response_seconds == 7 * 60
    assert TicketMetrics.objects.get(ticket=first.ticket).first_response_seconds is None


def test_the_limit_leaves_the_rest_for_the_next_run(conversation):
    for n in range(3):
        conversation(at=FRIDAY_16, sender=f"c{n}@example.org")  # a created and a message event each

    assert refresh_metrics(limit=4) == 2
    assert refresh_metrics(limit=4) == 1
    assert TicketMetrics.objects.count() == 3


def test_an_event_committed_after_a_later_one_is_still_read(conversation, clock):
    """On PostgreSQL an id is taken at INSERT and seen at COMMIT: here the late row is re-inserted by hand."""
    conversation(at=FRIDAY_16, sender="first@example.org")
    refresh_metrics()
    early = conversation(at=FRIDAY_16)
    conversation(at=FRIDAY_16, sender="sam@example.org")
    in_flight = TicketEvent.objects.filter(ticket=early.ticket).order_by("pk").last()
    row = {f.attname: getattr(in_flight, f.attname) for f in TicketEvent._meta.concrete_fields}
    in_flight.delete()  # not visible yet

    assert refresh_metrics() == 2
    assert [pk for pk, _ in RefreshState.objects.get(job="metrics").pending_ids] == [row["id"]]

    TicketEvent.objects.create(**row)  # its transaction commits
    assert refresh_metrics() == 1  # the early ticket again, and only it
    assert refresh_metrics() == 0
    assert RefreshState.objects.get(job="metrics").pending_ids == []


def test_ids_never_committed_are_forgotten_after_a_while(conversation, clock):
    conversation(at=FRIDAY_16, sender="first@example.org")
    refresh_metrics()
    ticket = conversation(at=FRIDAY_16)
    TicketEvent.objects.filter(ticket=ticket.ticket).order_by("pk").first().delete()  # rolled back
    refresh_metrics()
    assert len(RefreshState.objects.get(job="metrics").pending_ids) == 1

    clock.at = FRIDAY_16 + metrics.PENDING_TTL + timedelta(seconds=1)
    refresh_metrics()

    assert RefreshState.objects.get(job="metrics").pending_ids == []


def test_a_batch_costs_the_same_queries_for_any_number_of_tickets(conversation, agent_alice):
    def refresh_after(tickets: int) -> int:
        for n in range(tickets):
            ticket = conversation(at=FRIDAY_16, sender=f"c{tickets}-{n}@example.org")
            ticket.agent_replies(agent_alice, FRIDAY_16 + timedelta(minutes=n), solve=True)
        with CaptureQueriesContext(connection) as queries:
            assert refresh_metrics() == tickets
        return len(queries)

    refresh_metrics()  # the cursor row exists from the first run on
    assert refresh_after(2) == refresh_after(8)


def test_rebuild_recomputes_everything_and_skips_the_cursor_past_it(conversation, agent_alice, clock):
    conversation(at=FRIDAY_16).agent_replies(agent_alice, FRIDAY_16 + timedelta(hours=1), solve=True)
    conversation(at=FRIDAY_16, sender="sam@example.org")
    clock.at = FRIDAY_16 + timedelta(hours=2)

    call_command("rebuild_analytics", "--days", "3")

    assert TicketMetrics.objects.count() == 2
    friday = DailyRollup.objects.filter(day=FRIDAY_16.date())
    assert friday.aggregate(created=Sum("created"), solved=Sum("solved"), replies=Sum("replies")) == {
        "created": 2,
        "solved": 1,
        "replies": 1,
    }
    assert DailyAgentRollup.objects.get(day=FRIDAY_16.date(), agent=agent_alice).replies == 1
    assert refresh_metrics() == 0  # nothing left for the minute job


def test_the_beat_tasks_call_the_services(conversation, clock):
    conversation(at=FRIDAY_16)

    assert refresh_metrics_task() == 1
    assert refresh_rollups_task() == 2  # today's row in each roll-up


# ---- concurrency (PostgreSQL) ------------------------------------------------------------------


def in_thread(target) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="commit order and row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_after_a_later_one_is_picked_up(agent_alice, make_ticket):
    slow, quick = make_ticket(), make_ticket(sender="sam@example.org")
    refresh_metrics()
    written, commit = threading.Event(), threading.Event()

    def slow_transaction() -> None:
        with transaction.atomic():
            update_ticket(ticket=slow, by=agent_alice, priority=Priority.HIGH)
            written.set()
            commit.wait(timeout=10)

    thread, errors = in_thread(slow_transaction)
    assert written.wait(timeout=10)
    update_ticket(ticket=quick, by=agent_alice, priority=Priority.URGENT)  # a later id, committed first

    assert refresh_metrics() == 1  # only the quick one is visible
    commit.set()
    thread.join(timeout=10)
    assert refresh_metrics() == 1
    assert refresh_metrics() == 0

    assert not errors
    assert TicketMetrics.objects.get(ticket=slow).priority == Priority.HIGH


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_second_worker_leaves_the_work_to_the_first(make_ticket):
    refresh_metrics()  # the cursor row exists after the first run
    make_ticket()
    locked, release = threading.Event(), threading.Event()

    def first_worker() -> None:
        with transaction.atomic():
            metrics._locked(skip_locked=True)
            locked.set()
            release.wait(timeout=10)

    thread, errors = in_thread(first_worker)
    assert locked.wait(timeout=10)

    assert refresh_metrics() == 0  # returns at once instead of waiting or doing the work twice
    release.set()
    thread.join(timeout=10)
    assert refresh_metrics() == 1
    assert not errors
