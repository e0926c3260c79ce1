"""The admin's builders: routing rules as rows (not JSON), refused bad rows, a dry run; SLA policy checkboxes."""

import pytest
from django.urls import reverse

from tickets.models import ActionKind, Condition, Operator, Priority, RoutingRule, SlaPolicy, Ticket

pytestmark = pytest.mark.django_db


def form_data(*, conditions, actions, name="VIP first"):
    data = {
        "name": name,
        "position": "0",
        "active": "on",
        "match": "all",
        "on_create": "on",
        "conditions-TOTAL_FORMS": str(len(conditions)),
        "conditions-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": str(len(actions)),
        "actions-INITIAL_FORMS": "0",
    }
    for i, (field, operator, value) in enumerate(conditions):
        data |= {f"conditions-{i}-field": field, f"conditions-{i}-operator": operator, f"conditions-{i}-value": value}
    for i, (kind, value) in enumerate(actions):
        data |= {f"actions-{i}-kind": kind, f"actions-{i}-value": value}
    return data


def test_an_admin_builds_a_rule_from_rows(client, admin_ada, team_support):
    client.force_login(admin_ada)
    add = reverse("admin:tickets_routingrule_add")
    page = client.get(add).content.decode()
    assert "Conditions (empty: always)" in page and "Actions, in order" in page

    data = form_data(
        conditions=[
            (Condition.ORGANIZATION_TIER, Operator.IS, "vip"),
            (Condition.SUBJECT, Operator.ANY_WORD, "down, outage"),
        ],
        actions=[(ActionKind.SET_PRIORITY, "4"), (ActionKind.SET_TEAM, "Support")],
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = RoutingRule.objects.get(name="VIP first")
    assert [str(c) for c in rule.conditions.all()] == [
        "Organization tier is vip",
        "Subject contains any of the words (comma-separated) down, outage",
    ]
    assert [(a.kind, a.value) for a in rule.actions.all()] == [("set_priority", "4"), ("set_team", "Support")]


@pytest.mark.parametrize(
    ("conditions", "actions", "error"),
    [
        ([(Condition.PRIORITY, Operator.CONTAINS, "3")], [(ActionKind.SET_PRIORITY, "4")], "can be compared with"),
        ([(Condition.BODY, Operator.MATCHES, "order (")], [(ActionKind.SET_PRIORITY, "4")], "Not a regular expression"),
        (
            [(Condition.BUSINESS_HOURS, Operator.INSIDE, "Nowhere")],
            [(ActionKind.SET_PRIORITY, "4")],
            "no business-hours calendar",
        ),
        ([], [(ActionKind.SET_PRIORITY, "9")], "1"),
        ([], [(ActionKind.SET_TEAM, "Nobody")], "Nobody"),
    ],
)
def test_rows_that_cannot_work_are_refused(client, admin_ada, conditions, actions, error):
    client.force_login(admin_ada)
    response = client.post(reverse("admin:tickets_routingrule_add"), form_data(conditions=conditions, actions=actions))
    assert response.status_code == 200 and error in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_the_dry_run_explains_a_rule_on_a_ticket_and_changes_nothing(client, admin_ada, make_ticket):
    ticket = make_ticket(subject="Site is down")
    rule = RoutingRule.objects.create(name="Outage")
    rule.conditions.create(field=Condition.SUBJECT, operator=Operator.ANY_WORD, value="down")
    rule.conditions.create(field=Condition.CHANNEL, operator=Operator.IS, value="sms")
    rule.actions.create(kind=ActionKind.SET_PRIORITY, value="4")
    client.force_login(admin_ada)
    change = client.get(reverse("admin:tickets_routingrule_change", args=[rule.pk])).content.decode()
    test_url = reverse("admin:tickets_routingrule_test", args=[rule.pk])
    assert test_url in change

    page = client.get(test_url, {"ticket": ticket.pk, "trigger": "created"}).content.decode()
    assert "does <strong>not</strong> fire" in page
    assert "✔ holds</td><td>Subject contains any of the words (comma-separated) down" in page
    assert "✘ does not hold</td><td>Channel is sms" in page
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.NORMAL

    missing = client.get(test_url, {"ticket": 999999, "trigger": "created"}).content.decode()
    assert "There is no ticket with this number." in missing


def test_agents_cannot_reach_the_rule_builder(client, agent_alice):
    rule = RoutingRule.objects.create(name="Any")
    client.force_login(agent_alice)
    for url in (reverse("admin:tickets_routingrule_add"), reverse("admin:tickets_routingrule_test", args=[rule.pk])):
        assert client.get(url).status_code == 302  # to the admin login


def test_an_sla_policy_is_built_from_checkboxes_and_a_tier_list(client, admin_ada):
    client.force_login(admin_ada)
    add = reverse("admin:tickets_slapolicy_add")
    data = {
        "name": "VIP e-mail",
        "position": "0",
        "active": "on",
        "priorities": ["3", "4"],
        "channels": ["email"],
        "tiers": "VIP, gold, ",
        "first_response_minutes": "30",
        "warn_at_percent": "80",
        "pause_when_pending": "on",
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = SlaPolicy.objects.get(name="VIP e-mail")
    assert (policy.priorities, policy.channels, policy.tiers) == ([3, 4], ["email"], ["gold", "vip"])
    page = client.get(reverse("admin:tickets_slapolicy_change", args=[policy.pk])).content.decode()
    assert 'value="gold, vip"' in page
