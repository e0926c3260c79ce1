"""An agent writes to a customer first: a new ticket with an outbound message, on a channel that can send."""

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, IdentityFactory
from tickets.models import Direction, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat():
    customer = CustomerFactory(name="Pat Doe")
    IdentityFactory(customer=customer, kind="email", address="pat@example.org")
    return customer


def post(client, customer, **data):
    fields = {"outreach-channel": "email", "outreach-subject": "", "outreach-text": "Hello Pat", **data}
    return client.post(f"/tickets/start/{customer.pk}/", fields)


def test_agent_starts_an_email_conversation(client, agent_alice, pat, django_capture_on_commit_callbacks):
    client.force_login(agent_alice)
    page = client.get(f"/customers/{pat.pk}/").content.decode()
    assert "Message this customer" in page and '<option value="email"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, pat, **{"outreach-subject": "Your refund"})

    ticket = Ticket.objects.get()
    assert response.url == f"/tickets/{ticket.pk}/"
    assert (ticket.subject, ticket.status, ticket.channel) == ("Your refund", Status.PENDING, "email")
    (message,) = ticket.messages.all()
    assert (message.direction, message.address, message.body_text) == (Direction.OUT, "pat@example.org", "Hello Pat")


def test_an_opted_out_address_is_not_messaged(client, agent_alice):
    customer = CustomerFactory(name="Sam")
    IdentityFactory(customer=customer, kind="email", address="sam@example.org", opted_out_at=timezone.now())
    client.force_login(agent_alice)

    response = post(client, customer)

    assert response.status_code == 302 and not Ticket.objects.exists()
    assert "opted out" in client.get(response.url).content.decode()


def test_a_channel_without_an_address_is_refused(client, agent_alice, pat):
    client.force_login(agent_alice)
    post(client, pat, **{"outreach-channel": "sms"})
    assert not Ticket.objects.exists()


def test_light_agents_and_customers_may_not_write_first(client, pat, light_agent, customer_dana):
    for user in (light_agent, customer_dana.user):
        client.force_login(user)
        assert post(client, pat).status_code in (302, 403)
    assert not Ticket.objects.exists()
