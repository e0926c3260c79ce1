"""POST /api/v1/tickets/: a ticket on behalf of a customer, through ingest, safe to retry."""

import pytest

from customers.models import Customer
from tickets.models import Channel, Message, Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def payload(**overrides) -> dict:
    return {
        "customer_email": "Pat@Example.org",
        "customer_name": "Pat Doe",
        "subject": "Cannot log in",
        "text": "The login page says no.",
    } | overrides


def test_creates_a_ticket_on_the_api_channel(api, agent_alice):
    response = api.as_user(agent_alice).post(URL, payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["number"])
    assert (ticket.channel, ticket.subject, ticket.status) == (Channel.API, "Cannot log in", "new")
    assert body["customer"] == {"id": ticket.customer_id, "name": "Pat Doe"}
    assert ticket.customer.identities.get().address == "pat@example.org"
    assert ticket.messages.get().body_text == "The login page says no."


def test_existing_customer_is_found_by_email(api, agent_alice, customer_dana):
    response = api.as_user(agent_alice).post(URL, payload(customer_email="DANA@example.org"), format="json")
    assert response.json()["customer"]["id"] == customer_dana.pk
    assert Customer.objects.count() == 1


def test_retry_with_the_same_external_id_gives_one_ticket(api, agent_alice):
    api.as_user(agent_alice)
    first = api.post(URL, payload(external_id="req-42"), format="json")
    retry = api.post(URL, payload(external_id="req-42"), format="json")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_without_external_id_each_post_is_a_new_ticket(api, agent_alice):
    api.as_user(agent_alice)
    api.post(URL, payload(), format="json")
    api.post(URL, payload(), format="json")
    assert Ticket.objects.count() == 2


def test_external_ids_of_different_users_do_not_collide(api, agent_alice, agent_carl_other_team):
    """Carl reusing Alice's request id gets his own ticket, not a view of hers."""
    api.as_user(agent_alice).post(URL, payload(external_id="1"), format="json")
    response = api.as_user(agent_carl_other_team).post(URL, payload(external_id="1", subject="Other"), format="json")

    assert response.status_code == 201
    assert response.json()["subject"] == "Other"
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_email": "not-an-address"}, "customer_email"),
        ({"text": ""}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"subject": "s" * 256}, "subject"),
        ({"customer_name": ["Pat"]}, "customer_name"),
        ({"priority": "high"}, "priority"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, agent_alice, change, field):
    response = api.as_user(agent_alice).post(URL, payload(**change), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Ticket.objects.count() == 0


def test_missing_email_is_a_400(api, agent_alice):
    body = payload()
    del body["customer_email"]
    response = api.as_user(agent_alice).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["customer_email"] == ["This field is required."]


def test_malformed_json_is_a_400(api, agent_alice):
    response = api.as_user(agent_alice).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_light_agent_cannot_create(api, light_agent):
    response = api.as_user(light_agent).post(URL, payload(), format="json")
    assert response.status_code == 403
    assert Ticket.objects.count() == 0
