"""Time-based automations: each acts once per ticket and anchor time, however often or widely it runs."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import MacroFactory, TicketFactory
from tickets.models import (
    ActionKind,
    Automatic,
    Automation,
    AutomationAction,
    AutomationRun,
    Direction,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.rules.validation import validate_action
from tickets.services import automations, update_ticket
from tickets.services.automations import describe_minutes, run_automations
from tickets.tasks import run_automations_task

pytestmark = pytest.mark.django_db

DAY = 24 * 60
Anchor = Automation.Anchor


def automation(name: str, status: str, after_minutes: int, *actions: tuple[str, str], **fields) -> Automation:
    made = Automation.objects.create(name=name, status=status, after_minutes=after_minutes, **fields)
    AutomationAction.objects.bulk_create(AutomationAction(automation=made, kind=k, value=v) for k, v in actions)
    return made


def set_status(ticket: Ticket, status: str, by) -> Ticket:
    update_ticket(ticket=ticket, by=by, status=status)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def pending_ticket(make_ticket, agent_alice):
    return set_status(make_ticket(), Status.PENDING, agent_alice)


@pytest.fixture
def reminder():
    MacroFactory(name="Still there?", body="Hi {{ customer.first_name }}, do you still need help with this?")
    return automation("Pending reminder", Status.PENDING, 3 * DAY, (ActionKind.REPLY_MACRO, "Still there?"))


def reminders(ticket: Ticket) -> list[str]:
    return list(ticket.messages.filter(meta__macro_key__isnull=False).values_list("body_text", flat=True))


def test_pending_for_3_days_reminds_the_customer_once(reminder, pending_ticket, django_capture_on_commit_callbacks):
    since = pending_ticket.status_changed_at

    assert run_automations(now=since + timedelta(days=3) - timedelta(minutes=1)) == 0  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert run_automations(now=since + timedelta(days=3)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run_automations(now=since + timedelta(days=3, minutes=1)) == 0  # a second run does nothing

    assert reminders(pending_ticket) == ["Hi Pat, do you still need help with this?"]
    message = pending_ticket.messages.get(meta__macro_key__isnull=False)
    assert message.direction == Direction.OUT and message.automatic == Automatic.AUTO_REPLY
    assert message.address == "pat@example.org" and message.meta["macro"] == "Still there?"


def test_pending_for_7_days_is_solved(pending_ticket):
    automation("Pending to solved", Status.PENDING, 7 * DAY, (ActionKind.SET_STATUS, Status.SOLVED))
    at = pending_ticket.status_changed_at + timedelta(days=7, minutes=5)

    assert run_automations(now=at) == 1
    assert run_automations(now=at) == 0

    pending_ticket.refresh_from_db()
    assert (pending_ticket.status, pending_ticket.solved_at, pending_ticket.status_changed_at) == (
        Status.SOLVED,
        at,
        at,
    )
    change = pending_ticket.events.get(kind=TicketEvent.Kind.STATUS_CHANGED, data__to=Status.SOLVED)
    assert change.data == {"from": "pending", "to": "solved", "reason": 'automation "Pending to solved"'}


def test_solved_for_4_days_is_closed(make_ticket, agent_alice):
    ticket = set_status(make_ticket(), Status.SOLVED, agent_alice)
    automation("Close solved", Status.SOLVED, 4 * DAY, (ActionKind.SET_STATUS, Status.CLOSED), anchor=Anchor.SOLVED)

    assert run_automations(now=ticket.solved_at + timedelta(days=4) - timedelta(seconds=1)) == 0
    assert run_automations(now=ticket.solved_at + timedelta(days=4)) == 1

    solved_at = ticket.solved_at
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.solved_at == solved_at  # closing keeps when it was solved


def test_unassigned_for_30_minutes_notifies_the_team(
    make_ticket, team_support, agent_alice, captured_events, django_capture_on_commit_callbacks
):
    waiting = make_ticket(team=team_support, subject="Nobody here?")
    taken = make_ticket(team=team_support)
    update_ticket(ticket=taken, by=agent_alice, assignee=agent_alice)
    automation(
        "Unassigned alarm",
        Status.NEW,
        30,
        (ActionKind.NOTIFY_TEAM, "Waiting 30 minutes for an agent"),
        anchor=Anchor.CREATED,
        unassigned_only=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert run_automations(now=waiting.created_at + timedelta(minutes=29)) == 0
        assert run_automations(now=taken.created_at + timedelta(minutes=30)) == 1

    notices = [(group, event) for group, event in captured_events if event["type"] == "ticket.notice"]
    assert notices == [
        (
            f"team.{team_support.pk}",
            {
                "type": "ticket.notice",
                "ticket": waiting.pk,
                "subject": "Nobody here?",
                "status": "new",
                "channel": "email",
                "team": team_support.pk,
                "assignee": None,
                "summary": "Waiting 30 minutes for an agent",
            },
        )
    ]


def test_a_ticket_that_leaves_and_reenters_pending_is_reminded_again(
    reminder, pending_ticket, agent_alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_automations(now=pending_ticket.status_changed_at + timedelta(days=3))
    set_status(pending_ticket, Status.OPEN, agent_alice)
    again = set_status(pending_ticket, Status.PENDING, agent_alice).status_changed_at

    assert run_automations(now=again + timedelta(days=2)) == 0  # the first reminder was for the first wait
    with django_capture_on_commit_callbacks(execute=True):
        assert run_automations(now=again + timedelta(days=3)) == 1

    assert len(reminders(pending_ticket)) == 2
    assert AutomationRun.objects.filter(automation=reminder, ticket=pending_ticket).count() == 2


def test_an_inactive_automation_does_nothing(reminder, pending_ticket):
    Automation.objects.filter(pk=reminder.pk).update(active=False)

    assert run_automations(now=pending_ticket.status_changed_at + timedelta(days=30)) == 0
    assert not AutomationRun.objects.exists() and reminders(pending_ticket) == []


def test_team_and_unassigned_filters_pick_only_matching_tickets(
    make_ticket, agent_alice, agent_carl_other_team, team_support, team_billing
):
    support = set_status(make_ticket(team=team_support), Status.PENDING, agent_alice)
    support_assigned = make_ticket(team=team_support)
    update_ticket(ticket=support_assigned, by=agent_alice, assignee=agent_alice, status=Status.PENDING)
    billing = set_status(make_ticket(team=team_billing), Status.PENDING, agent_carl_other_team)
    automation(
        "Support nudge", Status.PENDING, 60, (ActionKind.ADD_TAGS, "nudged"), team=team_support, unassigned_only=True
    )

    assert run_automations(now=timezone.now() + timedelta(hours=2)) == 1

    tagged = set(Ticket.objects.filter(tags__name="nudged").values_list("pk", flat=True))
    assert tagged == {support.pk}
    assert billing.pk not in tagged and support_assigned.pk not in tagged


def test_the_timeline_says_which_automation_fired_why_and_what_it_did(reminder, pending_ticket):
    AutomationAction.objects.create(automation=reminder, kind=ActionKind.ADD_TAGS, value="Waiting, reminded")
    AutomationAction.objects.create(automation=reminder, kind=ActionKind.SET_PRIORITY, value="1")

    run_automations(now=pending_ticket.status_changed_at + timedelta(days=3))

    row = pending_ticket.events.get(kind=TicketEvent.Kind.RULE_APPLIED)
    since = pending_ticket.status_changed_at.strftime("%Y-%m-%d %H:%M")
    assert row.data == {
        "source": "automation",
        "rules": [
            {
                "name": "Pending reminder",
                "why": [f"pending since {since} UTC (3 days)"],
                "did": ["replied with 'Still there?'", "added tags reminded, waiting", "priority Low"],
            }
        ],
    }
    assert set(pending_ticket.tags.values_list("name", flat=True)) == {"waiting", "reminded"}


def test_other_anchors_say_what_the_time_is(make_ticket, agent_alice):
    ticket = set_status(make_ticket(), Status.OPEN, agent_alice)
    automation("Quiet customer", Status.OPEN, 90, (ActionKind.ADD_TAGS, "quiet"), anchor=Anchor.CUSTOMER_MESSAGE)

    assert run_automations(now=ticket.last_customer_message_at + timedelta(minutes=90)) == 1

    wrote = ticket.last_customer_message_at.strftime("%Y-%m-%d %H:%M")
    (fired,) = ticket.events.get(kind=TicketEvent.Kind.RULE_APPLIED).data["rules"]
    why = fired["why"]
    assert why == ["open", f"customer last wrote {wrote} UTC (1 hour 30 minutes)"]


def test_the_beat_task_runs_the_automations(reminder, pending_ticket, monkeypatch):
    later = pending_ticket.status_changed_at + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert run_automations_task() == 1


def test_unassigned_for_2_hours_moves_to_another_team(
    make_ticket, team_support, team_billing, django_capture_on_commit_callbacks
):
    ticket = make_ticket(team=team_support)
    automation(
        "Escalate to Billing",
        Status.NEW,
        120,
        (ActionKind.SET_TEAM, "Billing"),
        anchor=Anchor.CREATED,
        team=team_support,
        unassigned_only=True,
    )

    with django_capture_on_commit_callbacks(execute=True):  # the team's assignment runs after the commit
        assert run_automations(now=ticket.created_at + timedelta(hours=2)) == 1

    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (team_billing, None)
    (rule,) = ticket.events.get(kind=TicketEvent.Kind.RULE_APPLIED).data["rules"]
    assert rule["why"][2:] == ["unassigned", "team Support"] and rule["did"] == ["team Billing"]


def test_a_failing_automation_does_not_stop_the_next_and_retries_later(reminder, pending_ticket, monkeypatch):
    automation("Tag stale", Status.PENDING, DAY, (ActionKind.ADD_TAGS, "stale"), position=1)
    real = automations.apply_actions

    def broken_reminder(items, *, source, **kw):
        if "Pending reminder" in source:
            raise RuntimeError("boom")
        return real(items, source=source, **kw)

    monkeypatch.setattr(automations, "apply_actions", broken_reminder)  # a bug in one automation's actions
    at = pending_ticket.status_changed_at + timedelta(days=3)

    assert run_automations(now=at) == 1  # the tag, not the reminder
    assert not AutomationRun.objects.filter(automation=reminder).exists()  # rolled back: due again
    monkeypatch.undo()
    assert run_automations(now=at) == 1


def test_queries_do_not_grow_with_the_number_of_tickets(team_support, team_billing):
    MacroFactory(name="Still there?")
    automation(
        "Everything",
        Status.PENDING,
        DAY,
        (ActionKind.REPLY_MACRO, "Still there?"),
        (ActionKind.ADD_TAGS, "stale"),
        (ActionKind.SET_PRIORITY, "3"),
        (ActionKind.NOTIFY_TEAM, "Stale"),
        (ActionKind.SET_STATUS, Status.SOLVED),
        (ActionKind.SET_TEAM, "Billing"),
    )
    old = timezone.now() - timedelta(days=2)

    def queries_for(count: int) -> int:
        TicketFactory.create_batch(count, status=Status.PENDING, status_changed_at=old, team=team_support)
        # The ticket UPDATE and the timeline INSERT go through psycopg2's execute_values on PostgreSQL
        # (tickets/bulk.py), one statement per 1000 rows, and are not captured here.
        with CaptureQueriesContext(connection) as queries:
            assert run_automations() == count
        return len(queries)

    assert queries_for(1) == queries_for(30)


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        (ActionKind.SET_PRIORITY, "9", "from 1 (low) to 4 (urgent)"),
        (ActionKind.SET_STATUS, "done", "Status is one of"),
        (ActionKind.SET_TEAM, "Nobody", "No team is called 'Nobody'"),
        (ActionKind.REPLY_MACRO, "Missing", "No active macro"),
        (ActionKind.SET_ASSIGNEE, "dana", "Not an active agent: dana"),  # a customer
        (ActionKind.ADD_FOLLOWERS, "alice, ghost", "Not an active agent: ghost"),
        (ActionKind.ADD_TAGS, " , ", "at least one tag"),
        (ActionKind.NOTIFY_TEAM, "", "Write the notice"),
        ("explode", "now", "not an action"),
    ],
)
def test_validate_action_rejects_values_that_name_nothing(kind, value, error, agent_alice, customer_dana):
    with pytest.raises(ValidationError) as exc:
        validate_action(kind, value)
    assert error in exc.value.messages[0]


def test_validate_action_accepts_what_exists(agent_alice, team_support):
    MacroFactory(name="Still there?")
    for kind, value in [
        (ActionKind.SET_PRIORITY, "4"),
        (ActionKind.SET_STATUS, "closed"),
        (ActionKind.SET_TEAM, "Support"),
        (ActionKind.REPLY_MACRO, " Still there? "),
        (ActionKind.SET_ASSIGNEE, "alice"),
        (ActionKind.ADD_TAGS, "vip, late"),
        (ActionKind.NOTIFY_ASSIGNEE, "Look again"),
    ]:
        validate_action(kind, value)


def test_describe_minutes():
    assert [describe_minutes(m) for m in (0, 1, 30, 60, 90, 3 * DAY, DAY + 61)] == [
        "0 minutes",
        "1 minute",
        "30 minutes",
        "1 hour",
        "1 hour 30 minutes",
        "3 days",
        "1 day 1 hour 1 minute",
    ]


def admin_post(action_kind: str, action_value: str, **fields) -> dict:
    return {
        "name": "Pending reminder",
        "position": "0",
        "active": "on",
        "status": Status.PENDING,
        "anchor": Anchor.STATUS_CHANGED,
        "after_minutes": str(3 * DAY),
        "team": "",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "1",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-kind": action_kind,
        "actions-0-value": action_value,
    } | fields


def test_admin_adds_an_automation_and_rejects_a_bad_action_value(client, admin_ada):
    client.force_login(admin_ada)
    add = reverse("admin:tickets_automation_add")
    assert client.get(add).status_code == 200

    response = client.post(add, admin_post(ActionKind.SET_PRIORITY, "9"))
    assert response.status_code == 200 and "from 1 (low) to 4 (urgent)" in response.content.decode()
    response = client.post(add, admin_post(ActionKind.SET_STATUS, Status.SOLVED, anchor=Anchor.SOLVED))
    assert "Only solved tickets have a solved time" in response.content.decode()
    response = client.post(add, admin_post(ActionKind.ADD_TAGS, "old", status=Status.CLOSED))
    assert "Closed tickets are final" in response.content.decode()
    assert not Automation.objects.exists()

    response = client.post(add, admin_post(ActionKind.SET_STATUS, Status.SOLVED))
    assert response.status_code == 302
    assert list(Automation.objects.get().actions.values_list("kind", "value")) == [("set_status", "solved")]
    changelist = client.get(reverse("admin:tickets_automation_changelist")).content.decode()
    assert "Pending reminder" in changelist and "3 days" in changelist


def test_admin_change_page_shows_the_runs(client, admin_ada, reminder, pending_ticket, agent_carl_other_team):
    run_automations(now=pending_ticket.status_changed_at + timedelta(days=3))
    client.force_login(admin_ada)

    page = client.get(reverse("admin:tickets_automation_change", args=[reminder.pk])).content.decode()
    assert "1 ticket in the last 7 days" in page

    client.force_login(agent_carl_other_team)  # must not see: agents are not admins
    assert client.get(reverse("admin:tickets_automation_change", args=[reminder.pk])).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks with SKIP LOCKED need PostgreSQL")
def test_two_workers_at_once_act_on_each_ticket_exactly_once():
    automation("Stale", Status.PENDING, DAY, (ActionKind.ADD_TAGS, "stale"), (ActionKind.SET_PRIORITY, "3"))
    tickets = TicketFactory.create_batch(
        60, status=Status.PENDING, status_changed_at=timezone.now() - timedelta(days=2)
    )
    barrier = threading.Barrier(2)
    acted: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            while done := run_automations(limit=7):
                acted.append(done)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and sum(acted) == 60
    assert run_automations() == 0
    ids = [t.pk for t in tickets]
    assert AutomationRun.objects.filter(ticket_id__in=ids).count() == 60
    for kind in (TicketEvent.Kind.RULE_APPLIED, TicketEvent.Kind.PRIORITY_CHANGED, TicketEvent.Kind.TAGS_CHANGED):
        assert TicketEvent.objects.filter(ticket_id__in=ids, kind=kind).count() == 60
