"""A settable clock, office hours, and tickets built at known times (tests/analytics/conversations.py)."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest

from surveys.models import CsatScale, CsatSurvey
from tests.analytics.conversations import FRIDAY_16, MONDAY_10, Clock, Conversation, refreshed
from tests.factories import OrganizationFactory
from tickets.models import BusinessCalendar, BusinessHours, Channel, Status


@pytest.fixture
def clock(monkeypatch):
    now = Clock(FRIDAY_16)
    monkeypatch.setattr("django.utils.timezone.now", now)
    return now


@pytest.fixture
def office_hours(db, settings):
    """Monday to Friday 9-17 UTC, the default calendar for tickets without an SLA policy."""
    office = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    for weekday in range(5):
        BusinessHours.objects.create(calendar=office, weekday=weekday, opens=time(9), closes=time(17))
    settings.ANALYTICS_BUSINESS_CALENDAR = "Office"
    return office


@pytest.fixture
def conversation(clock):
    """conversation(at=..., channel=..., sender=...) -> a new ticket whose customer wrote at `at`."""

    def start(*, at: datetime = FRIDAY_16, **kw) -> Conversation:
        clock.at = at
        return Conversation(clock, **kw)

    return start


@pytest.fixture
def two_days(conversation, clock, agent_alice, agent_bob_same_team, agent_carl_other_team, team_support, team_billing):
    """Four tickets over Monday and Tuesday (UTC), with the numbers tests/analytics/test_reports.py expects.

    A  e-mail  Support/alice  Mon 09:00, answered and solved 09:10 (first contact), tag billing, Globex
    B  SMS     Support/bob    Mon 10:00, answered 10:30, solved 11:00; the customer reopens it Tue 09:00,
                              bob answers and solves it 09:20
    C  e-mail  Billing/carl   Mon 14:00, never answered (open)
    D  e-mail  Support/alice  Tue 08:00, answered 08:30 (open)
    Every ticket is tagged "all". CSAT: A good (5), B bad (1), C sent but not answered.
    """
    mon, tue = MONDAY_10 - timedelta(hours=1), MONDAY_10 + timedelta(hours=22)  # Mon 09:00, Tue 08:00
    a = conversation(at=mon, sender="ann@globex.test")
    a.agent_sets(agent_alice, mon, team=team_support, assignee=agent_alice, tags=["billing", "all"])
    a.agent_replies(agent_alice, mon + timedelta(minutes=10), solve=True)
    a.ticket.customer.organization = OrganizationFactory(name="Globex")
    a.ticket.customer.save()

    b = conversation(at=mon + timedelta(hours=1), channel=Channel.SMS, sender="+14155550100")
    b.agent_sets(
        agent_bob_same_team, b.clock.at, team=team_support, assignee=agent_bob_same_team, priority=3, tags=["all"]
    )
    b.agent_replies(agent_bob_same_team, mon + timedelta(hours=1, minutes=30))
    b.agent_sets(agent_bob_same_team, mon + timedelta(hours=2), status=Status.SOLVED)
    b.customer_writes(tue + timedelta(hours=1))
    b.agent_replies(agent_bob_same_team, tue + timedelta(hours=1, minutes=20), solve=True)

    c = conversation(at=mon + timedelta(hours=5), sender="cy@example.org")
    c.agent_sets(agent_carl_other_team, c.clock.at, team=team_billing, assignee=agent_carl_other_team, tags=["all"])

    d = conversation(at=tue, sender="dee@example.org")
    d.agent_sets(agent_alice, tue, team=team_support, assignee=agent_alice, tags=["all"])
    d.agent_replies(agent_alice, tue + timedelta(minutes=30))

    for ticket, sent, answered, score in [
        (a, mon + timedelta(hours=1), mon + timedelta(hours=3), 5),
        (b, tue + timedelta(hours=2), tue + timedelta(hours=3), 1),
        (c, mon + timedelta(hours=6), None, None),
    ]:
        CsatSurvey.objects.create(
            ticket=ticket.ticket,
            customer=ticket.ticket.customer,
            scale=CsatScale.ONE_TO_FIVE,
            channel=ticket.channel,
            sent_at=sent,
            answered_at=answered,
            score=score,
        )
    clock.at = tue + timedelta(hours=4)
    refreshed()
    return SimpleNamespace(a=a.ticket, b=b.ticket, c=c.ticket, d=d.ticket, monday=mon.date(), tuesday=tue.date())
