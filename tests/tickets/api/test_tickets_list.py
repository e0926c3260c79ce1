"""GET /api/v1/tickets/: the queue's filters, visibility and a constant number of queries per page."""

import pytest

from tests.factories import TicketFactory
from tickets.models import Priority, Status, Tag, Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def numbers(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def test_row_shows_what_an_agent_needs(api, agent_alice, team_support):
    ticket = TicketFactory(subject="Refund", priority=Priority.HIGH, team=team_support, assignee=agent_alice)
    ticket.tags.add(Tag.objects.create(name="vip"))

    (row,) = api.as_user(agent_alice).get(URL).json()["results"]

    assert row["number"] == ticket.pk
    assert row["subject"] == "Refund"
    assert (row["status"], row["priority"], row["channel"]) == ("new", "high", "email")
    assert row["customer"] == {"id": ticket.customer_id, "name": ticket.customer.name}
    assert row["assignee"] == {"id": agent_alice.pk, "name": "Alice Agent"}
    assert row["team"] == {"id": team_support.pk, "name": "Support"}
    assert row["tags"] == ["vip"]
    assert row["first_response_at"] is None
    assert {"created_at", "updated_at", "last_customer_message_at"} <= row.keys()


def test_unassigned_ticket_has_null_assignee_and_team(api, agent_alice):
    TicketFactory()
    (row,) = api.as_user(agent_alice).get(URL).json()["results"]
    assert row["assignee"] is None and row["team"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", {"pending"}),
        ("status=open_any", {"new", "pending"}),
        ("status=solved&status=pending", {"solved", "pending"}),
        ("priority=urgent", {"urgent"}),
        ("channel=sms", {"sms"}),
        ("mine=true", {"mine"}),
        ("unassigned=true", {"new", "solved", "sms"}),
        ("tag=billing", {"pending", "urgent"}),
        ("q=printer", {"new"}),
    ],
)
def test_filters_match_the_queue(api, agent_alice, agent_bob_same_team, query, expected):
    made = {
        "new": TicketFactory(subject="Printer on fire"),
        "pending": TicketFactory(status=Status.PENDING, assignee=agent_bob_same_team),
        "solved": TicketFactory(status=Status.SOLVED),
        "urgent": TicketFactory(status=Status.CLOSED, priority=Priority.URGENT, assignee=agent_bob_same_team),
        "sms": TicketFactory(channel="sms", status=Status.CLOSED),
        "mine": TicketFactory(status=Status.CLOSED, assignee=agent_alice),
    }
    billing = Tag.objects.create(name="billing")
    made["pending"].tags.add(billing)
    made["urgent"].tags.add(billing)

    found = numbers(api.as_user(agent_alice).get(f"{URL}?{query}"))

    assert found == {made[name].pk for name in expected}


def test_filter_by_team_and_assignee_ids(api, admin_ada, agent_alice, team_support, team_billing):
    support = TicketFactory(team=team_support, assignee=agent_alice)
    TicketFactory(team=team_billing)
    api.as_user(admin_ada)
    assert numbers(api.get(f"{URL}?team={team_support.pk}")) == {support.pk}
    assert numbers(api.get(f"{URL}?assignee={agent_alice.pk}")) == {support.pk}


def test_search_by_ticket_number(api, agent_alice):
    ticket = TicketFactory(subject="Something")
    TicketFactory(subject="Else")
    assert numbers(api.as_user(agent_alice).get(f"{URL}?q=%23{ticket.pk}")) == {ticket.pk}


@pytest.mark.parametrize("query", ["status=bogus", "priority=3", "team=abc", "sort=sideways", "channel=pigeon"])
def test_invalid_filter_is_a_400_naming_the_filter(api, agent_alice, query):
    response = api.as_user(agent_alice).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_sort_by_priority(api, agent_alice):
    low = TicketFactory(priority=Priority.LOW)
    urgent = TicketFactory(priority=Priority.URGENT)
    normal = TicketFactory()
    rows = api.as_user(agent_alice).get(f"{URL}?sort=priority").json()["results"]
    assert [r["number"] for r in rows] == [urgent.pk, normal.pk, low.pk]


def test_pages_link_to_each_other(api, agent_alice):
    TicketFactory.create_batch(3)
    api.as_user(agent_alice)

    first = api.get(f"{URL}?page_size=2").json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 2 and first["previous"] is None
    assert len(second["results"]) == 1 and second["next"] is None
    assert {r["number"] for r in first["results"] + second["results"]} == set(
        Ticket.objects.values_list("pk", flat=True)
    )


def test_bad_page_is_a_404_with_a_reason(api, agent_alice):
    response = api.as_user(agent_alice).get(f"{URL}?page=zero")
    assert response.status_code == 404
    assert "page" in response.json()["detail"]


def test_other_teams_tickets_are_not_listed(api, agent_carl_other_team, team_support, team_billing):
    TicketFactory(team=team_support)
    billing = TicketFactory(team=team_billing)
    unrouted = TicketFactory()
    assert numbers(api.as_user(agent_carl_other_team).get(URL)) == {billing.pk, unrouted.pk}


def test_merged_tickets_are_not_listed(api, agent_alice):
    kept = TicketFactory()
    TicketFactory(merged_into=kept, status=Status.CLOSED)
    assert numbers(api.as_user(agent_alice).get(URL)) == {kept.pk}


# Token + user, the agent's teams, the page, the page's tags: the same at 10 rows and at 100.
LIST_QUERIES = 4


@pytest.mark.parametrize("rows", [10, 100])
def test_list_uses_the_same_queries_for_10_and_100_rows(
    api, agent_alice, agent_bob_same_team, team_support, rows, django_assert_num_queries
):
    tags = [Tag.objects.create(name=f"tag{i}") for i in range(3)]
    for i in range(rows):
        ticket = TicketFactory(team=team_support if i % 2 else None, assignee=[agent_alice, agent_bob_same_team][i % 2])
        ticket.tags.add(*tags[: i % 4])
    api.as_user(agent_alice)

    with django_assert_num_queries(LIST_QUERIES):
        response = api.get(f"{URL}?page_size=100")

    assert len(response.json()["results"]) == rows
