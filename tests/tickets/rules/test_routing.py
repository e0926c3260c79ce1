"""Routing rules: every condition, every action, the order they run in, and the log they leave."""

from datetime import UTC, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MacroFactory, OrganizationFactory
from tickets.inbound import InboundMessage
from tickets.models import (
    ActionKind,
    BusinessCalendar,
    BusinessHours,
    Channel,
    Condition,
    Message,
    Operator,
    Priority,
    RoutingRule,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.services import ingest, routing

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SUNDAY_10 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
_ids = iter(range(1, 10**6))


def rule(name="R", *, conditions=(), actions=(), **kw) -> RoutingRule:
    made = RoutingRule.objects.create(name=name, **kw)
    for field, operator, value in conditions:
        made.conditions.create(field=field, operator=operator, value=value)
    for kind, value in actions:
        made.actions.create(kind=kind, value=value)
    return made


def new_ticket(
    *,
    subject="Invoice question",
    text="Hello, my invoice is wrong.",
    sender="pat@example.org",
    channel=Channel.EMAIL,
    via="support@acme.test",
) -> Ticket:
    msg = InboundMessage(
        channel=channel,
        external_id=f"<r{next(_ids)}@x>",
        sender_address=sender if channel == Channel.EMAIL else "+4512345678",
        sender_name="Pat Doe",
        subject=subject,
        text=text,
        channel_address=via,
    )
    return ingest(msg).ticket


def route(ticket: Ticket, *, trigger=routing.CREATED, now=MONDAY_10) -> Ticket:
    routing.route(ticket_ids=[ticket.pk], trigger=trigger, now=now)
    return Ticket.objects.get(pk=ticket.pk)


def tag_names(ticket: Ticket) -> set[str]:
    return set(ticket.tags.values_list("name", flat=True))


PRIORITY_HIGH = [(ActionKind.SET_PRIORITY, "3")]


@pytest.mark.parametrize(
    ("field", "operator", "value", "ticket_kw", "fires"),
    [
        (Condition.CHANNEL, Operator.IS, "email", {}, True),
        (Condition.CHANNEL, Operator.IS_NOT, "email", {}, False),
        (Condition.CHANNEL, Operator.IN, "sms, whatsapp", {"channel": Channel.SMS}, True),
        (Condition.CHANNEL_ADDRESS, Operator.IS, "Billing@Acme.test", {"via": "billing@acme.test"}, True),
        (Condition.CHANNEL_ADDRESS, Operator.ENDS_WITH, "@acme.test", {}, True),
        (Condition.SUBJECT, Operator.CONTAINS, "INVOICE", {}, True),
        (Condition.SUBJECT, Operator.NOT_CONTAINS, "invoice", {}, False),
        (Condition.SUBJECT, Operator.STARTS_WITH, "invoice", {}, True),
        (Condition.BODY, Operator.ANY_WORD, "refund, wrong", {}, True),
        (Condition.BODY, Operator.ANY_WORD, "wro", {}, False),  # whole words only
        (Condition.BODY, Operator.MATCHES, r"order\s+#?\d{5}", {"text": "Where is order #12345?"}, True),
        (Condition.SUBJECT_OR_BODY, Operator.CONTAINS, "is wrong", {}, True),
        (Condition.CUSTOMER_ADDRESS, Operator.ENDS_WITH, "@example.org", {}, True),
        (Condition.PRIORITY, Operator.AT_LEAST, "2", {}, True),
        (Condition.PRIORITY, Operator.AT_MOST, "1", {}, False),
        (Condition.PRIORITY, Operator.IS, "2", {}, True),
    ],
)
def test_each_condition_on_the_ticket_and_its_message(field, operator, value, ticket_kw, fires):
    rule(conditions=[(field, operator, value)], actions=PRIORITY_HIGH)
    ticket = route(new_ticket(**ticket_kw))
    assert (ticket.priority == Priority.HIGH) is fires


def test_customer_and_organization_conditions():
    ticket = new_ticket()
    organization = OrganizationFactory(name="Globex", tier="vip")
    ticket.customer.organization = organization
    ticket.customer.language, ticket.customer.time_zone = "de", "Europe/Berlin"
    ticket.customer.save()
    rule(
        conditions=[
            (Condition.ORGANIZATION_TIER, Operator.IS, "VIP"),
            (Condition.ORGANIZATION, Operator.IS, "globex"),
            (Condition.CUSTOMER_LANGUAGE, Operator.IN, "de, at"),
            (Condition.CUSTOMER_TIME_ZONE, Operator.STARTS_WITH, "Europe/"),
        ],
        actions=[(ActionKind.SET_PRIORITY, "4")],
    )
    assert route(ticket).priority == Priority.URGENT


def test_detected_language_is_set_and_can_be_routed_on(team_support):
    rule(conditions=[(Condition.LANGUAGE, Operator.IS, "de")], actions=[(ActionKind.SET_TEAM, "Support")])
    text = "Guten Tag, meine Rechnung ist leider falsch. Können Sie mir bitte helfen? Vielen Dank im Voraus."
    ticket = route(new_ticket(text=text))
    assert ticket.language == "de"
    assert ticket.team == team_support


def test_tag_and_team_conditions_see_what_earlier_rules_did(team_support):
    rule("tagger", position=1, actions=[(ActionKind.ADD_TAGS, "Billing, urgent-ish")])
    rule(
        "team",
        position=2,
        conditions=[(Condition.TAGS, Operator.CONTAINS, "billing")],
        actions=[(ActionKind.SET_TEAM, "Support")],
    )
    rule("after team", position=3, conditions=[(Condition.TEAM, Operator.IS, "support")], actions=PRIORITY_HIGH)
    rule(
        "not tagged",
        position=4,
        conditions=[(Condition.TAGS, Operator.NOT_CONTAINS, "billing")],
        actions=[(ActionKind.SET_PRIORITY, "1")],
    )
    ticket = route(new_ticket())
    assert tag_names(ticket) == {"billing", "urgent-ish"}
    assert ticket.team == team_support and ticket.priority == Priority.HIGH


def test_business_hours_inside_and_outside():
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    for day in range(5):
        BusinessHours.objects.create(calendar=calendar, weekday=day, opens=time(9), closes=time(17))
    rule(
        "in", conditions=[(Condition.BUSINESS_HOURS, Operator.INSIDE, "Office")], actions=[(ActionKind.ADD_TAGS, "day")]
    )
    rule(
        "out",
        conditions=[(Condition.BUSINESS_HOURS, Operator.OUTSIDE, "Office")],
        actions=[(ActionKind.ADD_TAGS, "night")],
    )
    assert tag_names(route(new_ticket(), now=MONDAY_10)) == {"day"}
    assert tag_names(route(new_ticket(), now=SUNDAY_10)) == {"night"}


def test_all_versus_any():
    both = [(Condition.SUBJECT, Operator.CONTAINS, "invoice"), (Condition.CHANNEL, Operator.IS, "sms")]
    rule("all", conditions=both, actions=[(ActionKind.ADD_TAGS, "all")])
    rule("any", match=RoutingRule.Match.ANY, conditions=both, actions=[(ActionKind.ADD_TAGS, "any")])
    assert tag_names(route(new_ticket())) == {"any"}


def test_one_log_row_lists_every_rule_that_fired():
    rule("first", position=1, actions=[(ActionKind.ADD_TAGS, "first")])
    rule("second", position=2, conditions=[(Condition.CHANNEL, Operator.IS, "email")], actions=PRIORITY_HIGH)
    ticket = route(new_ticket())
    (log,) = ticket.events.filter(kind=TicketEvent.Kind.RULE_APPLIED)
    assert log.data["rules"] == [
        {"name": "first", "why": ["no conditions: always"], "did": ["added tags first"]},
        {"name": "second", "why": ["Channel is email"], "did": ["priority High"]},
    ]


def test_stop_ends_the_run_and_inactive_rules_never_run():
    rule("first", position=1, stop=True, actions=[(ActionKind.ADD_TAGS, "first")])
    rule("second", position=2, actions=[(ActionKind.ADD_TAGS, "second")])
    rule("off", position=0, active=False, actions=[(ActionKind.ADD_TAGS, "off")])
    assert tag_names(route(new_ticket())) == {"first"}


def test_triggers_created_and_customer_reply():
    rule("new", actions=[(ActionKind.ADD_TAGS, "new")])
    rule("reply", on_create=False, on_customer_reply=True, actions=[(ActionKind.ADD_TAGS, "replied")])
    ticket = route(new_ticket())
    assert tag_names(ticket) == {"new"}
    assert tag_names(route(ticket, trigger=routing.CUSTOMER_REPLY)) == {"new", "replied"}


def test_every_action(
    team_support, agent_alice, agent_bob_same_team, captured_events, django_capture_on_commit_callbacks
):
    MacroFactory(name="Outside hours", body="Hi {{ customer.first_name }}, we answer tomorrow. {{ agent.name }}")
    rule(
        actions=[
            (ActionKind.SET_TEAM, "Support"),
            (ActionKind.SET_ASSIGNEE, "alice"),
            (ActionKind.SET_PRIORITY, "4"),
            (ActionKind.ADD_TAGS, "a, b"),
            (ActionKind.REMOVE_TAGS, "b"),
            (ActionKind.SET_LANGUAGE, "da"),
            (ActionKind.ADD_FOLLOWERS, "bob, nobody"),
            (ActionKind.REPLY_MACRO, "Outside hours"),
            (ActionKind.NOTIFY_TEAM, "Big customer waiting"),
            (ActionKind.NOTIFY_ASSIGNEE, "Yours, Alice"),
            (ActionKind.SET_STATUS, "pending"),
        ]
    )
    ticket = new_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = route(ticket)
    assert (ticket.team, ticket.assignee, ticket.priority) == (team_support, agent_alice, Priority.URGENT)
    assert tag_names(ticket) == {"a"} and ticket.language == "da" and ticket.status == Status.PENDING
    assert list(ticket.followers.all()) == [agent_bob_same_team]
    auto = Message.objects.get(ticket=ticket, meta__macro="Outside hours")
    assert auto.body_text == "Hi Pat, we answer tomorrow. Alice Agent" and auto.address == "pat@example.org"
    notices = {(group, e["summary"]) for group, e in captured_events if e["type"] == "ticket.notice"}
    assert notices == {
        (f"team.{team_support.pk}", "Big customer waiting"),
        (f"agent.{agent_alice.pk}", "Yours, Alice"),
    }
    (log,) = ticket.events.filter(kind=TicketEvent.Kind.RULE_APPLIED)
    (fired,) = log.data["rules"]
    assert fired["why"] == ["no conditions: always"]
    assert fired["did"][:3] == ["team Support", "assignee alice", "priority Urgent"]
    assert "followers: bob" in fired["did"]


def test_the_log_says_why_and_what_was_skipped():
    rule(
        "Bad values",
        conditions=[(Condition.SUBJECT, Operator.CONTAINS, "invoice")],
        actions=[(ActionKind.SET_TEAM, "Nope"), (ActionKind.SET_ASSIGNEE, "ghost"), (ActionKind.REPLY_MACRO, "none")],
    )
    ticket = route(new_ticket())
    (log,) = ticket.events.get(kind=TicketEvent.Kind.RULE_APPLIED).data["rules"]
    assert log["name"] == "Bad values" and log["why"] == ["Subject contains invoice"]
    assert log["did"] == [
        "team 'Nope' skipped: no such team",
        "assignee 'ghost' skipped: no such agent",
        "reply 'none' skipped: no active macro",
    ]


def test_an_assignee_outside_the_team_is_refused(team_billing, agent_alice):
    rule(actions=[(ActionKind.SET_TEAM, "Billing"), (ActionKind.SET_ASSIGNEE, "alice")])
    ticket = route(new_ticket())
    assert ticket.team == team_billing and ticket.assignee is None


def test_closed_or_merged_tickets_are_not_routed():
    rule(actions=PRIORITY_HIGH)
    ticket = new_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    assert route(ticket).priority == Priority.NORMAL


def test_ingest_routes_new_tickets_after_commit(team_support, django_capture_on_commit_callbacks):
    rule(conditions=[(Condition.SUBJECT, Operator.CONTAINS, "invoice")], actions=[(ActionKind.SET_TEAM, "Support")])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = new_ticket()
    ticket.refresh_from_db()
    assert ticket.team == team_support


def test_routing_a_batch_takes_the_same_queries_as_one_ticket(team_support):
    rule("tags", actions=[(ActionKind.ADD_TAGS, "x")])
    rule(
        "team", conditions=[(Condition.BODY, Operator.ANY_WORD, "invoice")], actions=[(ActionKind.SET_TEAM, "Support")]
    )
    one = [new_ticket().pk]
    many = [new_ticket().pk for _ in range(20)]
    with CaptureQueriesContext(connection) as single:
        routing.route(ticket_ids=one, trigger=routing.CREATED, now=MONDAY_10)
    with CaptureQueriesContext(connection) as batch:
        routing.route(ticket_ids=many, trigger=routing.CREATED, now=MONDAY_10)
    assert len(batch) <= len(single) + 2  # SQLite writes update_rows one statement per row


def test_explain_shows_each_condition_without_changing_anything():
    made = rule(
        conditions=[(Condition.SUBJECT, Operator.CONTAINS, "invoice"), (Condition.CHANNEL, Operator.IS, "sms")],
        actions=PRIORITY_HIGH,
    )
    ticket = new_ticket()
    result = routing.explain(made, ticket)
    assert result.conditions == [("Subject contains invoice", True), ("Channel is sms", False)]
    assert not result.fires and result.actions == ["Set priority (1 low - 4 urgent): 3"]
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.NORMAL
