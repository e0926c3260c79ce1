"""SLA clocks: due times in business time, pauses while waiting on the customer, warnings and breaches."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.factories import OrganizationFactory
from tickets.inbound import InboundMessage
from tickets.models import BusinessCalendar, BusinessHours, Channel, Priority, SlaClock, SlaPolicy, Status, Ticket
from tickets.services import ingest, reply, sla, update_ticket

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def policy():
    return SlaPolicy.objects.create(
        name="Standard", first_response_minutes=60, next_response_minutes=120, resolution_minutes=24 * 60
    )


def new_ticket(at: datetime = MONDAY_9, **kw) -> Ticket:
    kw.setdefault("sender_address", "pat@example.org")
    msg = InboundMessage(channel=Channel.EMAIL, external_id=f"<{at.timestamp()}@x>", subject="Help", timestamp=at, **kw)
    ticket = ingest(msg).ticket
    sla.reconcile(ticket_ids=[ticket.pk], now=at)
    ticket.refresh_from_db()
    return ticket


def kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.filter(kind__startswith="sla_").order_by("id").values_list("kind", "data__target"))


def test_without_a_policy_no_clock_runs():
    ticket = new_ticket()
    assert ticket.sla_policy is None and ticket.sla_due_at is None and not SlaClock.objects.exists()


def test_a_new_ticket_gets_its_due_times_and_a_check_at_the_warning(policy):
    ticket = new_ticket()

    assert ticket.sla_policy == policy
    assert ticket.first_response_due_at == MONDAY_9 + timedelta(hours=1)
    assert ticket.resolution_due_at == MONDAY_9 + timedelta(hours=24)
    assert ticket.next_response_due_at is None  # nobody has answered yet
    assert ticket.sla_clock.next_check_at == MONDAY_9 + timedelta(minutes=48)  # 80% of the first response


def test_the_sweep_warns_then_breaches_once_each(policy):
    ticket = new_ticket()

    assert sla.sweep(now=MONDAY_9 + timedelta(minutes=50)) == 1
    assert sla.sweep(now=MONDAY_9 + timedelta(minutes=50)) == 0  # a second run does nothing
    sla.sweep(now=MONDAY_9 + timedelta(minutes=61))
    sla.sweep(now=MONDAY_9 + timedelta(minutes=62))

    ticket.refresh_from_db()
    assert kinds(ticket) == [("sla_warning", "first_response"), ("sla_breached", "first_response")]
    assert ticket.first_response_due_at == MONDAY_9 + timedelta(hours=1)  # still shown, overdue
    assert ticket.sla_clock.next_check_at == MONDAY_9 + timedelta(hours=24 * 0.8)  # the resolution's warning


def test_an_answer_in_time_meets_the_first_response(policy, agent_alice):
    asked = timezone.now() - timedelta(minutes=20)
    ticket = new_ticket(at=asked)

    reply(ticket=ticket, author=agent_alice, text="On it")
    sla.reconcile(ticket_ids=[ticket.pk])

    ticket.refresh_from_db()
    assert kinds(ticket) == [("sla_met", "first_response")]
    assert ticket.first_response_due_at is None
    assert ticket.resolution_due_at == asked + timedelta(hours=24)  # still running


def test_a_late_first_answer_is_a_breach(policy, agent_alice):
    ticket = new_ticket(at=timezone.now() - timedelta(hours=2))

    reply(ticket=ticket, author=agent_alice, text="Sorry for the wait")
    sla.reconcile(ticket_ids=[ticket.pk])

    ticket.refresh_from_db()
    assert kinds(ticket) == [("sla_breached", "first_response")]


def test_a_customer_message_after_our_answer_starts_the_next_response_clock(policy, agent_alice):
    ticket = new_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_at=MONDAY_9 + timedelta(minutes=10),
        last_agent_reply_at=MONDAY_9 + timedelta(minutes=10),
        last_customer_message_at=MONDAY_9 + timedelta(hours=2),
    )

    sla.reconcile(ticket_ids=[ticket.pk], now=MONDAY_9 + timedelta(hours=2))

    ticket.refresh_from_db()
    assert ticket.next_response_due_at == MONDAY_9 + timedelta(hours=4)


def test_waiting_on_the_customer_stops_the_clock(policy, agent_alice):
    ticket = new_ticket()
    update_ticket(ticket=ticket, by=agent_alice, status=Status.PENDING)
    sla.reconcile(ticket_ids=[ticket.pk], now=MONDAY_9 + timedelta(minutes=30))
    ticket.refresh_from_db()
    assert ticket.sla_clock.next_check_at is None  # nothing can breach while paused

    update_ticket(ticket=ticket, by=agent_alice, status=Status.OPEN)
    sla.reconcile(ticket_ids=[ticket.pk], now=MONDAY_9 + timedelta(hours=3, minutes=30))

    ticket.refresh_from_db()
    # Three hours paused: the first response is due three hours later than it was.
    assert ticket.first_response_due_at == MONDAY_9 + timedelta(hours=4)


def test_a_higher_priority_moves_the_ticket_to_a_stricter_policy(policy, agent_alice):
    SlaPolicy.objects.filter(pk=policy.pk).update(position=10)
    urgent = SlaPolicy.objects.create(
        name="Urgent", position=1, priorities=[Priority.URGENT], first_response_minutes=15
    )
    ticket = new_ticket()

    update_ticket(ticket=ticket, by=agent_alice, priority=Priority.URGENT)
    sla.reconcile(ticket_ids=[ticket.pk], now=MONDAY_9 + timedelta(minutes=5))

    ticket.refresh_from_db()
    assert ticket.sla_policy == urgent
    assert ticket.first_response_due_at == MONDAY_9 + timedelta(minutes=15)
    assert ticket.resolution_due_at is None  # the urgent policy has no resolution target


def test_an_organization_tier_chooses_its_policy(policy):
    SlaPolicy.objects.filter(pk=policy.pk).update(position=10)
    vip = SlaPolicy.objects.create(name="VIP", position=1, tiers=["vip"], first_response_minutes=30)
    ordinary = new_ticket()
    ticket = new_ticket(at=MONDAY_9 + timedelta(seconds=1), sender_address="boss@globex.test")
    ticket.customer.organization = OrganizationFactory(name="Globex", tier="vip")
    ticket.customer.save()

    sla.reconcile(ticket_ids=[ticket.pk, ordinary.pk], now=MONDAY_9 + timedelta(minutes=1))

    ticket.refresh_from_db()
    ordinary.refresh_from_db()
    assert (ticket.sla_policy, ordinary.sla_policy) == (vip, policy)


def test_targets_count_business_hours_of_the_policys_calendar():
    office = BusinessCalendar.objects.create(name="Copenhagen", time_zone="Europe/Copenhagen")
    for weekday in range(5):
        BusinessHours.objects.create(calendar=office, weekday=weekday, opens=time(9), closes=time(17))
    SlaPolicy.objects.create(name="Office hours", calendar=office, first_response_minutes=4 * 60)
    friday_16_local = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)

    ticket = new_ticket(at=friday_16_local)

    # One hour on Friday, three on Monday morning: due Monday 12:00 in Copenhagen (11:00 UTC).
    assert ticket.first_response_due_at == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def test_services_reconcile_after_their_commit(policy, agent_alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest(InboundMessage(channel=Channel.SMS, external_id="SM1", sender_address="+14155550100")).ticket
    ticket.refresh_from_db()
    assert ticket.first_response_due_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket=ticket, author=agent_alice, text="Hello")
    ticket.refresh_from_db()
    assert ticket.first_response_due_at is None
    assert kinds(ticket) == [("sla_met", "first_response")]


def test_queue_shows_time_left_and_the_ticket_its_targets(client, policy, agent_alice):
    ticket = new_ticket(at=timezone.now() - timedelta(minutes=70))
    sla.sweep()
    client.force_login(agent_alice)

    queue = client.get("/tickets/").content.decode()
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert 'class="sla overdue"' in queue and "overdue</time>" in queue  # the first response is late
    assert "First response" in page and 'badge sla-breached">breached' in page
    assert "SLA: <strong>First response target breached</strong>" in page


def test_a_breach_escalates_once_to_the_policys_priority_and_team(
    policy, agent_alice, team_support, team_billing, django_capture_on_commit_callbacks
):
    SlaPolicy.objects.filter(pk=policy.pk).update(escalate_priority=Priority.URGENT, escalate_team=team_billing)
    ticket = new_ticket()
    update_ticket(ticket=ticket, by=agent_alice, team=team_support, assignee=agent_alice)

    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep(now=MONDAY_9 + timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        sla.escalate(ticket_ids=[ticket.pk])  # a redelivered task changes nothing more

    ticket.refresh_from_db()
    assert (ticket.priority, ticket.team, ticket.assignee) == (Priority.URGENT, team_billing, None)
    assert ticket.events.filter(kind="priority_changed", actor=None).count() == 1
    assert ticket.events.filter(kind="assigned", actor=None).last().data["to_team"] == "Billing"


def test_a_mass_breach_sends_each_group_one_summary(policy, captured_events, django_capture_on_commit_callbacks):
    for i in range(sla.MAX_NOTICES + 1):
        new_ticket(at=MONDAY_9 + timedelta(seconds=i))

    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep(now=MONDAY_9 + timedelta(minutes=50))

    assert [event for _, event in captured_events] == [
        {"type": "tickets.sla", "summary": f"SLA: 0 targets breached, {sla.MAX_NOTICES + 1} due soon"}
    ]


def test_a_few_notices_go_out_one_per_ticket(policy, captured_events, django_capture_on_commit_callbacks):
    ticket = new_ticket()

    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep(now=MONDAY_9 + timedelta(minutes=61))

    assert [(g, e["summary"]) for g, e in captured_events] == [
        ("agents", f"#{ticket.pk}: First response due soon"),
        ("agents", f"#{ticket.pk}: First response target breached"),
    ]
