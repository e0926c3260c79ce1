"""POST /api/v1/tickets/{number}/merge/: both tickets must be visible; errors are 4xx with a reason."""

import pytest

from tickets.models import Status

pytestmark = pytest.mark.django_db


def merge(api, source, into):
    return api.post(f"/api/v1/tickets/{source.number}/merge/", {"into": into}, format="json")


def test_merge_moves_messages_and_closes_the_source(api, agent_alice, make_ticket):
    source, target = make_ticket(), make_ticket(subject="Same printer")

    response = merge(api.as_user(agent_alice), source, target.number)

    assert response.status_code == 200, response.content
    assert response.json()["number"] == target.number
    source.refresh_from_db()
    assert (source.status, source.merged_into_id) == (Status.CLOSED, target.pk)
    assert target.messages.count() == 2
    assert api.get(f"/api/v1/tickets/{source.number}/").json()["merged_into"] == target.number


def test_cannot_merge_into_itself(api, agent_alice, make_ticket):
    ticket = make_ticket()
    response = merge(api.as_user(agent_alice), ticket, ticket.number)
    assert response.status_code == 400
    assert response.json() == {"detail": "A ticket cannot be merged into itself."}


def test_cannot_merge_twice(api, agent_alice, make_ticket):
    source, first, second = make_ticket(), make_ticket(), make_ticket()
    api.as_user(agent_alice)
    merge(api, source, first.number)

    response = merge(api, source, second.number)

    assert response.status_code == 400
    assert "already merged" in response.json()["detail"]


@pytest.mark.parametrize("into", ["abc", 0, None])
def test_into_must_be_a_ticket_number(api, agent_alice, make_ticket, into):
    response = merge(api.as_user(agent_alice), make_ticket(), into)
    assert response.status_code == 400
    assert "into" in response.json()


def test_unknown_field_is_refused(api, agent_alice, make_ticket):
    source, target = make_ticket(), make_ticket()
    response = api.as_user(agent_alice).post(
        f"/api/v1/tickets/{source.number}/merge/", {"into": target.number, "close": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"close": ["Unknown field."]}


def test_other_team_cannot_merge_into_a_ticket_it_cannot_see(
    api, agent_carl_other_team, make_ticket, team_billing, support_ticket
):
    carls = make_ticket(team=team_billing)

    response = merge(api.as_user(agent_carl_other_team), carls, support_ticket.number)

    assert response.status_code == 400
    # The same words as for a number that does not exist: nothing is revealed.
    assert response.json() == {"into": [f"There is no ticket #{support_ticket.number} you can see."]}
    assert merge(api, carls, 999999).json() == {"into": ["There is no ticket #999999 you can see."]}
    carls.refresh_from_db()
    assert carls.merged_into_id is None


def test_other_team_cannot_merge_away_a_ticket_it_cannot_see(
    api, agent_carl_other_team, make_ticket, team_billing, support_ticket
):
    carls = make_ticket(team=team_billing)
    response = merge(api.as_user(agent_carl_other_team), support_ticket, carls.number)
    assert response.status_code == 404
    support_ticket.refresh_from_db()
    assert support_ticket.merged_into_id is None


def test_light_agent_cannot_merge(api, light_agent, make_ticket):
    source, target = make_ticket(), make_ticket()
    assert merge(api.as_user(light_agent), source, target.number).status_code == 403
    source.refresh_from_db()
    assert source.merged_into_id is None
