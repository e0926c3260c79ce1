"""GET and PATCH /api/v1/tickets/{number}/: read, change through update_ticket, refuse bad input clearly."""

import pytest

from tickets.models import Priority, Status, TicketEvent

pytestmark = pytest.mark.django_db


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.number}/"


def test_detail_shows_the_ticket(api, agent_alice, support_ticket):
    body = api.as_user(agent_alice).get(url(support_ticket)).json()
    assert body["number"] == support_ticket.number
    assert body["team"]["name"] == "Support"
    assert body["merged_into"] is None


def test_patch_changes_everything_at_once(api, agent_alice, agent_bob_same_team, team_support, support_ticket):
    response = api.as_user(agent_alice).patch(
        url(support_ticket),
        {"status": "pending", "priority": "urgent", "assignee": agent_bob_same_team.pk, "tags": ["VIP", "refund"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["priority"]) == ("pending", "urgent")
    assert body["assignee"] == {"id": agent_bob_same_team.pk, "name": agent_bob_same_team.display_name}
    assert body["tags"] == ["refund", "vip"]
    support_ticket.refresh_from_db()
    assert (support_ticket.status, support_ticket.priority) == (Status.PENDING, Priority.URGENT)
    kinds = set(support_ticket.events.values_list("kind", flat=True))
    assert {"status_changed", "priority_changed", "assigned", "tags_changed"} <= kinds


def test_fields_not_sent_are_left_alone(api, agent_alice, support_ticket):
    api.as_user(agent_alice).patch(url(support_ticket), {"priority": "low"}, format="json")
    support_ticket.refresh_from_db()
    assert support_ticket.team is not None
    assert support_ticket.status == Status.NEW


def test_null_unassigns_agent_and_team(api, agent_alice, support_ticket):
    api.as_user(agent_alice).patch(url(support_ticket), {"assignee": agent_alice.pk}, format="json")

    response = api.patch(url(support_ticket), {"assignee": None, "team": None}, format="json")

    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["team"]) == (None, None)


def test_empty_patch_changes_nothing(api, agent_alice, support_ticket):
    before = TicketEvent.objects.count()
    response = api.as_user(agent_alice).patch(url(support_ticket), {}, format="json")
    assert response.status_code == 200
    assert TicketEvent.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"stauts": "open"}, "stauts", "Unknown field."),
        ({"status": "open", "subject": "new subject"}, "subject", "Unknown field."),
        ({"status": "bogus"}, "status", '"bogus" is not a valid choice.'),
        ({"priority": 3}, "priority", '"3" is not a valid choice.'),
        ({"tags": "vip"}, "tags", 'Expected a list of items but got type "str".'),
        ({"tags": ["ok", ["nested"]]}, "tags", None),
        ({"assignee": "alice"}, "assignee", None),
        ({"assignee": 999999}, "assignee", 'Invalid pk "999999" - object does not exist.'),
        ({"team": 999999}, "team", 'Invalid pk "999999" - object does not exist.'),
    ],
)
def test_bad_input_is_a_400_with_a_field_level_reason(api, agent_alice, support_ticket, body, field, reason):
    response = api.as_user(agent_alice).patch(url(support_ticket), body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    if reason:
        assert errors[field] == [reason]
    support_ticket.refresh_from_db()
    assert support_ticket.status == Status.NEW


def test_a_body_that_is_not_an_object_is_a_400(api, agent_alice, support_ticket):
    response = api.as_user(agent_alice).patch(url(support_ticket), ["status", "open"], format="json")
    assert response.status_code == 400


def test_service_refusal_is_a_400_with_its_reason(api, agent_alice, agent_carl_other_team, support_ticket):
    response = api.as_user(agent_alice).patch(
        url(support_ticket), {"assignee": agent_carl_other_team.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"assignee": [f"{agent_carl_other_team.display_name} is not in team Support."]}


def test_customer_cannot_be_assigned(api, agent_alice, customer_dana, support_ticket):
    response = api.as_user(agent_alice).patch(url(support_ticket), {"assignee": customer_dana.user_id}, format="json")
    assert response.status_code == 400
    assert "not an agent" in response.json()["assignee"][0]


def test_light_agent_may_read_but_not_patch(api, light_agent, support_ticket):
    api.as_user(light_agent)
    assert api.get(url(support_ticket)).status_code == 200

    response = api.patch(url(support_ticket), {"status": "solved"}, format="json")

    assert response.status_code == 403
    support_ticket.refresh_from_db()
    assert support_ticket.status == Status.NEW


def test_agent_of_another_team_gets_404(api, agent_carl_other_team, support_ticket):
    api.as_user(agent_carl_other_team)
    assert api.get(url(support_ticket)).status_code == 404
    response = api.patch(url(support_ticket), {"status": "solved"}, format="json")
    assert response.status_code == 404
    support_ticket.refresh_from_db()
    assert support_ticket.status == Status.NEW


def test_unknown_number_is_a_404(api, agent_alice):
    assert api.as_user(agent_alice).get("/api/v1/tickets/999999/").status_code == 404
