import pytest
from django.urls import reverse

from tickets.models import Status
from tickets.services import update_ticket

pytestmark = pytest.mark.django_db
URL = reverse("tickets:queue")


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_customer_is_refused(client, customer_dana):
    client.force_login(customer_dana.user)
    assert client.get(URL).status_code == 403


def test_queue_lists_open_tickets_by_default(client, agent_alice, support_ticket, make_tickets):
    make_tickets(2)
    update_ticket(ticket=support_ticket, by=agent_alice, status=Status.SOLVED)
    client.force_login(agent_alice)
    page = client.get(URL).content.decode()
    assert "Issue 0" in page and "Issue 1" in page
    assert "Printer on fire" not in page
    assert "Printer on fire" in client.get(URL, {"status": "solved"}).content.decode()


def test_agent_of_other_team_does_not_see_team_tickets(client, agent_carl_other_team, support_ticket):
    client.force_login(agent_carl_other_team)
    assert "Printer on fire" not in client.get(URL).content.decode()
    assert client.get(reverse("tickets:detail", args=[support_ticket.pk])).status_code == 404


def test_filters_mine_channel_and_search(client, agent_alice, support_ticket, make_tickets):
    make_tickets(4)
    update_ticket(ticket=support_ticket, by=agent_alice, assignee=agent_alice)
    client.force_login(agent_alice)
    mine = client.get(URL, {"mine": "true"}).content.decode()
    assert "Printer on fire" in mine and "Issue 0" not in mine
    sms = client.get(URL, {"channel": "sms"}).content.decode()
    assert "Issue 1" in sms and "Issue 0" not in sms
    found = client.get(URL, {"q": f"#{support_ticket.pk}"}).content.decode()
    assert "Printer on fire" in found


def test_htmx_filter_request_gets_only_the_rows(client, agent_alice, support_ticket):
    client.force_login(agent_alice)
    response = client.get(URL, {"channel": "email"}, headers={"HX-Request": "true", "HX-Target": "queue-rows"})
    body = response.content.decode()
    assert "Printer on fire" in body and "<html" not in body


def test_bad_filter_value_is_a_400_not_a_500(client, agent_alice):
    client.force_login(agent_alice)
    assert client.get(URL, {"channel": "pigeon"}).status_code == 400
    assert client.get(URL, {"page": "abc"}).status_code == 404


def test_pagination_without_count(client, agent_alice, make_tickets):
    make_tickets(30)
    client.force_login(agent_alice)
    first = client.get(URL).content.decode()
    assert "Next →" in first and "← Previous" not in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "← Previous" in second and "Next →" not in second


@pytest.mark.parametrize("rows", [10, 100])
def test_queue_query_count_is_constant(client, agent_alice, make_tickets, django_assert_num_queries, rows):
    make_tickets(rows)
    client.force_login(agent_alice)
    # session, user, agent's teams, the page, tags of the page, team and assignee filter options
    with django_assert_num_queries(8):
        response = client.get(URL, {"page_size": rows})
    assert response.status_code == 200
