"""SLA escalation by e-mail: warnings to the assignee, breaches to the assignee and the team lead, once."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from tickets.inbound import InboundMessage
from tickets.models import Channel, SlaPolicy, Ticket, TicketEvent
from tickets.services import ingest, sla, sla_mail, update_ticket
from tickets.tasks import send_sla_mail_task

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PUBLIC_URL = "https://help.example.com"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_URL = PUBLIC_URL


@pytest.fixture
def policy(db):
    # First response due in an hour, warned at 80% (48 minutes).
    return SlaPolicy.objects.create(name="Standard", first_response_minutes=60)


@pytest.fixture
def lead_bob(agent_bob_same_team, team_support):
    team_support.lead = agent_bob_same_team
    team_support.save(update_fields=["lead"])
    return agent_bob_same_team


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """sweep(minutes) runs the SLA sweep that long after MONDAY_9 and what it starts after its commit."""

    def run(minutes: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            sla.sweep(now=MONDAY_9 + timedelta(minutes=minutes))

    return run


@pytest.fixture
def ticket_for(admin_ada, policy):
    """ticket_for(assignee, team) -> a ticket created at MONDAY_9 (plus `seconds`) under the policy."""

    def make(assignee=None, team=None, seconds: int = 0, subject: str = "Printer on fire") -> Ticket:
        at = MONDAY_9 + timedelta(seconds=seconds)
        message = InboundMessage(
            channel=Channel.EMAIL,
            external_id=f"<{at.timestamp()}@example.org>",
            sender_address="pat@example.org",
            subject=subject,
            timestamp=at,
        )
        ticket = ingest(message).ticket
        if assignee or team:
            update_ticket(ticket=ticket, by=admin_ada, team=team, assignee=assignee)
        sla.reconcile(ticket_ids=[ticket.pk], now=at)
        return ticket

    return make


def test_a_warning_mails_the_assignee_only(ticket_for, sweep, agent_alice, team_support, lead_bob, settings):
    ticket = ticket_for(agent_alice, team_support, subject="Tom & Jerry's printer")

    sweep(50)

    (message,) = mail.outbox
    assert message.to == [agent_alice.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "SLA: 1 due soon"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert f"#{ticket.pk} Tom & Jerry's printer\nFirst response due soon, due Mon 23 Nov 10:00 UTC\n" in message.body
    assert f"{PUBLIC_URL}/tickets/{ticket.pk}/" in message.body


def test_a_breach_mails_the_assignee_and_the_team_lead(ticket_for, sweep, agent_alice, team_support, lead_bob):
    ticket = ticket_for(agent_alice, team_support)
    sweep(50)
    mail.outbox.clear()

    sweep(61)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent_alice.email, lead_bob.email])
    assert {m.subject for m in mail.outbox} == {"SLA: 1 breached"}
    assert all(f"#{ticket.pk} Printer on fire\nFirst response target breached" in m.body for m in mail.outbox)


def test_a_mass_breach_sends_one_mail_per_person(ticket_for, sweep, agent_alice, team_support, lead_bob):
    count = sla_mail.MAX_LINES + 5
    for i in range(count):
        ticket_for(agent_alice, team_support, seconds=i)

    sweep(61)  # every ticket warned and breached in one sweep

    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent_alice.email, lead_bob.email])
    for message in mail.outbox:
        assert message.subject == f"SLA: {count} breached"  # a breach replaces its warning
        assert len(re.findall(rf"^{PUBLIC_URL}/tickets/\d+/$", message.body, re.MULTILINE)) == sla_mail.MAX_LINES
        assert message.body.endswith(f"... and 5 more in the queue: {PUBLIC_URL}/tickets/\n")


def test_nobody_is_mailed_without_an_address(ticket_for, sweep, agent_alice, team_support, lead_bob, team_billing):
    agent_alice.email = ""
    agent_alice.save(update_fields=["email"])
    lead_bob.is_active = False
    lead_bob.save(update_fields=["is_active"])
    ticket_for(agent_alice, team_support, seconds=1)
    ticket_for(None, team_billing, seconds=2)  # a team without a lead
    ticket_for(seconds=3)  # nobody's

    sweep(61)

    assert mail.outbox == []


def test_a_second_run_of_the_task_sends_nothing(ticket_for, sweep, agent_alice, team_support, lead_bob, monkeypatch):
    ticket_for(agent_alice, team_support)
    started = []
    monkeypatch.setattr(send_sla_mail_task, "delay", lambda notices: started.append(notices))
    sweep(61)
    (notices,) = started

    assert send_sla_mail_task.apply(args=[notices]).get() == 2
    assert send_sla_mail_task.apply(args=[notices]).get() == 0  # a retry, or a redelivery after a crash

    assert len(mail.outbox) == 2
    assert all(e.data["emailed"] for e in TicketEvent.objects.filter(kind__in=["sla_warning", "sla_breached"]))


def test_an_unreachable_mail_server_leaves_the_notices_for_a_retry(
    ticket_for, sweep, agent_alice, team_support, monkeypatch, settings, smtp_server
):
    ticket_for(agent_alice, team_support)
    started = []
    monkeypatch.setattr(send_sla_mail_task, "delay", lambda notices: started.append(notices))
    sweep(50)
    (notices,) = started
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there

    with pytest.raises(OSError):
        sla_mail.send_sla_mail(notices=notices)
    settings.EMAIL_PORT = port

    assert sla_mail.send_sla_mail(notices=notices) == 1
    assert [m["To"] for m in smtp_server.messages] == [agent_alice.email]


def test_a_breach_is_mailed_to_the_people_it_had_even_when_escalation_runs_first(
    ticket_for, agent_alice, team_support, lead_bob, team_billing, policy, django_capture_on_commit_callbacks
):
    SlaPolicy.objects.filter(pk=policy.pk).update(escalate_team=team_billing)
    ticket = ticket_for(agent_alice, team_support)
    with django_capture_on_commit_callbacks() as after_commit:
        sla.sweep(now=MONDAY_9 + timedelta(minutes=61))

    for callback in reversed(after_commit):  # the escalation task wins the race
        callback()

    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (team_billing, None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent_alice.email, lead_bob.email])
