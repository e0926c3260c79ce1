"""The teaching test: how tests here are written. Copy its shapes, not its assertions.

- Personas come from tests/conftest.py; every permission test includes one who must NOT see.
- Data enters the way it does in production: through tickets.services, never raw saves.
- Side effects run after commit: wrap the action in django_capture_on_commit_callbacks.
- Lists assert a constant number of queries.
"""

import pytest

from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest, update_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_ticket(agent_carl_other_team, team_billing):
    result = ingest(
        InboundMessage(channel=Channel.SMS, external_id="SM-example", sender_address="+14155550100", text="Refund?")
    )
    return update_ticket(ticket=result.ticket, by=agent_carl_other_team, team=team_billing)


def test_ingest_publishes_one_event_to_the_right_groups(captured_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(
            InboundMessage(channel=Channel.SMS, external_id="SM-1", sender_address="+14155550100", text="Hi")
        )

    # A new ticket has no watchers yet, so only the queue (all agents: it has no team) hears of it.
    assert [group for group, _ in captured_events] == ["agents"]
    assert captured_events[0][1] == {
        "type": "ticket.created",
        "ticket": result.ticket.pk,
        "subject": "Hi",
        "status": "new",
        "channel": "sms",
        "team": None,
        "assignee": None,
        "summary": f"{result.ticket.customer} wrote on SMS",
    }


def test_api_shows_a_ticket_to_its_team_and_hides_it_from_others(
    api, agent_carl_other_team, agent_alice, billing_ticket
):
    url = f"/api/v1/tickets/{billing_ticket.number}/"

    assert api.as_user(agent_carl_other_team).get(url).status_code == 200
    assert api.as_user(agent_alice).get(url).status_code == 404  # must not see: another team's ticket


@pytest.mark.parametrize("rows", [10, 100])
def test_ticket_list_costs_the_same_queries_for_any_page_size(api, admin_ada, django_assert_num_queries, rows):
    for i in range(rows):
        ingest(InboundMessage(channel=Channel.EMAIL, external_id=f"<{i}@x>", sender_address=f"c{i}@example.org"))
    api.as_user(admin_ada)

    with django_assert_num_queries(3):  # token, page, tags (admins skip the team lookup)
        response = api.get("/api/v1/tickets/", {"page_size": rows})

    assert len(response.json()["results"]) == rows
