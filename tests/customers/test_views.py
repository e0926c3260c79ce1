import pytest
from django.urls import reverse

from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest, update_ticket

pytestmark = pytest.mark.django_db


def test_profile_shows_identities_and_tickets_on_every_channel(client, agent_alice):
    mail = ingest(
        InboundMessage(channel=Channel.EMAIL, external_id="<1@x>", sender_address="pat@example.org", subject="By mail")
    )
    customer = mail.ticket.customer
    from customers.services import add_identity

    add_identity(customer=customer, kind="phone", address="+14155550100")
    ingest(InboundMessage(channel=Channel.SMS, external_id="SM1", sender_address="+14155550100", text="By text"))
    client.force_login(agent_alice)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "pat@example.org" in page and "+14155550100" in page
    assert page.index("By text") < page.index("By mail")  # newest first


def test_profile_hides_tickets_of_other_teams(client, agent_alice, agent_carl_other_team, team_support):
    result = ingest(
        InboundMessage(channel=Channel.EMAIL, external_id="<2@x>", sender_address="pat@example.org", subject="Secret")
    )
    update_ticket(ticket=result.ticket, by=agent_alice, team=team_support)
    client.force_login(agent_carl_other_team)
    page = client.get(reverse("customers:detail", args=[result.ticket.customer_id])).content.decode()
    assert "Secret" not in page


def test_search_by_address(client, agent_alice, customer_dana, customer_eve):
    client.force_login(agent_alice)
    page = client.get(reverse("customers:list"), {"q": "dana@"}).content.decode()
    assert "Dana Customer" in page and "Eve Customer" not in page


def test_customers_cannot_open_agent_pages(client, customer_dana):
    client.force_login(customer_dana.user)
    assert client.get(reverse("customers:list")).status_code == 403
    assert client.get(reverse("customers:detail", args=[customer_dana.pk])).status_code == 403


@pytest.mark.parametrize("rows", [10, 100])
def test_customer_list_query_count_is_constant(client, agent_alice, django_assert_num_queries, rows):
    for i in range(rows):
        ingest(
            InboundMessage(channel=Channel.EMAIL, external_id=f"<c{i}@x>", sender_address=f"c{i}@example.org", text="x")
        )
    client.force_login(agent_alice)
    with django_assert_num_queries(5):  # session, user, presence, page of customers (+organization), identities
        assert client.get(reverse("customers:list")).status_code == 200


def test_agent_links_a_phone_and_bad_numbers_get_a_reason(client, agent_alice, customer_dana):
    client.force_login(agent_alice)
    url = reverse("customers:identity-add", args=[customer_dana.pk])
    assert client.post(url, {"kind": "phone", "address": "+1 415 555 0100"}).status_code == 302
    assert customer_dana.identities.filter(kind="phone", address="+14155550100").exists()
    response = client.post(url, {"kind": "phone", "address": "call me"})
    assert response.status_code == 400 and "is not a phone number" in response.content.decode()


def test_agent_merges_two_profiles_of_one_person(client, agent_alice, customer_dana, customer_eve):
    client.force_login(agent_alice)
    response = client.post(reverse("customers:merge", args=[customer_eve.pk]), {"into": customer_dana.pk})
    assert response["Location"] == reverse("customers:detail", args=[customer_dana.pk])
    assert set(customer_dana.identities.values_list("address", flat=True)) == {"dana@example.org", "eve@example.org"}
    page = client.get(reverse("customers:detail", args=[customer_eve.pk])).content.decode()
    assert "Merged into" in page
    assert client.post(reverse("customers:merge", args=[customer_dana.pk]), {"into": 999999}).status_code == 400


def test_light_agent_cannot_change_customers(client, light_agent, customer_dana, customer_eve):
    client.force_login(light_agent)
    assert (
        client.post(reverse("customers:merge", args=[customer_eve.pk]), {"into": customer_dana.pk}).status_code == 403
    )
    assert "Merge</button>" not in client.get(reverse("customers:detail", args=[customer_dana.pk])).content.decode()
