"""The customers API: list and search, a profile with what the viewer may see, merge, add an address."""

import pytest

from customers.models import Customer, CustomerEvent, Identity, IdentityKind
from tests.factories import CustomerFactory, IdentityFactory, OrganizationFactory, TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# ---- list and search ---------------------------------------------------------------------------


def test_list_shows_customers_with_identities_newest_first(api, agent_alice, customer_dana, customer_eve):
    IdentityFactory(customer=customer_eve, kind=IdentityKind.PHONE, address="+442079460958")

    rows = api.as_user(agent_alice).get(URL).json()["results"]

    assert [r["id"] for r in rows] == [customer_eve.pk, customer_dana.pk]
    assert {(i["kind"], i["address"]) for i in rows[0]["identities"]} == {
        ("email", "eve@example.org"),
        ("phone", "+442079460958"),
    }


@pytest.mark.parametrize(("query", "who"), [("dana", "dana"), ("EVE@EXAMPLE", "eve"), ("7946", "eve"), ("zzz", None)])
def test_search_by_name_or_address(api, agent_alice, customer_dana, customer_eve, query, who):
    IdentityFactory(customer=customer_eve, kind=IdentityKind.PHONE, address="+442079460958")
    expected = {"dana": [customer_dana.pk], "eve": [customer_eve.pk], None: []}[who]
    assert ids(api.as_user(agent_alice).get(URL, {"q": query})) == expected


def test_customer_with_two_matching_addresses_is_listed_once(api, agent_alice, customer_eve):
    IdentityFactory(customer=customer_eve, address="eve.work@example.org")
    assert ids(api.as_user(agent_alice).get(URL, {"q": "eve"})) == [customer_eve.pk]


def test_merged_customers_are_not_listed(api, agent_alice, customer_dana, customer_eve):
    api.as_user(agent_alice).post(f"{URL}{customer_eve.pk}/merge/", {"into": customer_dana.pk}, format="json")
    assert ids(api.get(URL)) == [customer_dana.pk]


def test_list_is_paginated(api, agent_alice):
    CustomerFactory.create_batch(3)
    page = api.as_user(agent_alice).get(URL, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]


# Token + user, the page (with organizations), the page's identities: the same at 10 rows and at 100.
LIST_QUERIES = 3


@pytest.mark.parametrize("rows", [10, 100])
def test_list_uses_the_same_queries_for_10_and_100_rows(api, agent_alice, rows, django_assert_num_queries):
    organization = OrganizationFactory()
    for i in range(rows):
        customer = CustomerFactory(organization=organization if i % 2 else None)
        IdentityFactory(customer=customer)
        IdentityFactory(customer=customer, kind=IdentityKind.PHONE, address=f"+4420794{i:05d}")
    api.as_user(agent_alice)

    with django_assert_num_queries(LIST_QUERIES):
        response = api.get(URL, {"page_size": 100})

    assert len(response.json()["results"]) == rows


# ---- profile -----------------------------------------------------------------------------------


def test_profile_has_identities_and_tickets_newest_first(api, agent_alice, customer_dana):
    customer_dana.organization = OrganizationFactory(name="Acme")
    customer_dana.save()
    old, new = TicketFactory(customer=customer_dana), TicketFactory(customer=customer_dana, channel="sms")

    body = api.as_user(agent_alice).get(f"{URL}{customer_dana.pk}/").json()

    assert body["name"] == "Dana Customer"
    assert body["organization"]["name"] == "Acme"
    assert [i["address"] for i in body["identities"]] == ["dana@example.org"]
    assert [t["number"] for t in body["tickets"]] == [new.pk, old.pk]
    assert body["tickets"][0]["channel"] == "sms"
    assert body["merged_into"] is None


def test_profile_shows_only_tickets_the_viewer_may_see(
    api, agent_carl_other_team, customer_dana, team_support, team_billing
):
    TicketFactory(customer=customer_dana, team=team_support)
    billing = TicketFactory(customer=customer_dana, team=team_billing)

    body = api.as_user(agent_carl_other_team).get(f"{URL}{customer_dana.pk}/").json()

    assert [t["number"] for t in body["tickets"]] == [billing.pk]


def test_profile_lists_at_most_50_tickets(api, admin_ada, customer_dana):
    TicketFactory.create_batch(51, customer=customer_dana)
    body = api.as_user(admin_ada).get(f"{URL}{customer_dana.pk}/").json()
    assert len(body["tickets"]) == 50


def test_unknown_customer_is_a_404(api, agent_alice):
    assert api.as_user(agent_alice).get(f"{URL}999999/").status_code == 404


# ---- merge -------------------------------------------------------------------------------------


def test_merge_moves_identities_and_tickets(api, agent_alice, customer_dana, customer_eve):
    ticket = TicketFactory(customer=customer_eve)

    response = api.as_user(agent_alice).post(
        f"{URL}{customer_eve.pk}/merge/", {"into": customer_dana.pk}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == customer_dana.pk
    assert {i["address"] for i in body["identities"]} == {"dana@example.org", "eve@example.org"}
    assert [t["number"] for t in body["tickets"]] == [ticket.pk]
    assert Customer.objects.get(pk=customer_eve.pk).merged_into_id == customer_dana.pk
    assert CustomerEvent.objects.filter(customer=customer_dana, kind="merged", actor=agent_alice).exists()
    assert api.get(f"{URL}{customer_eve.pk}/").json()["merged_into"] == customer_dana.pk


@pytest.mark.parametrize(
    ("into", "expected"),
    [
        ("self", {"detail": "A customer cannot be merged into itself."}),
        (999999, {"into": ["There is no customer 999999."]}),
        ("abc", {"into": ["A valid integer is required."]}),
    ],
)
def test_bad_merge_is_a_400_with_a_reason(api, agent_alice, customer_dana, into, expected):
    into = customer_dana.pk if into == "self" else into
    response = api.as_user(agent_alice).post(f"{URL}{customer_dana.pk}/merge/", {"into": into}, format="json")
    assert response.status_code == 400
    assert response.json() == expected


def test_merging_twice_is_refused(api, agent_alice, customer_dana, customer_eve):
    third = CustomerFactory()
    api.as_user(agent_alice).post(f"{URL}{customer_eve.pk}/merge/", {"into": customer_dana.pk}, format="json")
    response = api.post(f"{URL}{customer_eve.pk}/merge/", {"into": third.pk}, format="json")
    assert response.status_code == 400
    assert "already merged" in response.json()["detail"]


def test_light_agent_cannot_merge(api, light_agent, customer_dana, customer_eve):
    response = api.as_user(light_agent).post(
        f"{URL}{customer_eve.pk}/merge/", {"into": customer_dana.pk}, format="json"
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer_eve.pk).merged_into_id is None


def test_admin_can_merge(api, admin_ada, customer_dana, customer_eve):
    response = api.as_user(admin_ada).post(f"{URL}{customer_eve.pk}/merge/", {"into": customer_dana.pk}, format="json")
    assert response.status_code == 200
    assert Ticket.objects.filter(customer=customer_eve).count() == 0


# ---- identities --------------------------------------------------------------------------------


def add(api, customer, **body):
    return api.post(f"{URL}{customer.pk}/identities/", body, format="json")


def test_add_identity_normalises_the_address(api, agent_alice, customer_dana):
    response = add(api.as_user(agent_alice), customer_dana, kind="phone", address="+44 (0)20 7946 0958")

    assert response.status_code == 201, response.content
    assert response.json()["address"] == "+442079460958"
    assert customer_dana.identities.filter(kind="phone", address="+442079460958").exists()


@pytest.mark.parametrize(
    ("kind", "address", "reason"),
    [
        ("phone", "call me maybe", "is not a phone number"),
        ("phone", "+44 12", "is not a possible phone number"),
        ("email", "dana-at-example", "Enter a valid email address."),
        ("x", "way too long handle!", "is not an X handle"),
        ("email", "   ", "This field may not be blank."),
    ],
)
def test_malformed_address_is_a_400_with_the_reason(api, agent_alice, customer_dana, kind, address, reason):
    response = add(api.as_user(agent_alice), customer_dana, kind=kind, address=address)

    assert response.status_code == 400
    assert reason in response.json()["address"][0]
    assert customer_dana.identities.count() == 1


def test_address_of_another_customer_is_refused(api, agent_alice, customer_dana, customer_eve):
    response = add(api.as_user(agent_alice), customer_dana, kind="email", address="EVE@example.org")

    assert response.status_code == 400
    assert "already belongs to customer" in response.json()["address"][0]
    assert Identity.objects.get(address="eve@example.org").customer_id == customer_eve.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "pigeon", "address": "coo"}, "kind"),
        ({"kind": "email", "address": "a@example.org", "primary": True}, "primary"),
        ({"kind": "email", "address": "a" * 321}, "address"),
        ({"address": "a@example.org"}, "kind"),
    ],
)
def test_bad_identity_input_is_a_400(api, agent_alice, customer_dana, body, field):
    response = api.as_user(agent_alice).post(f"{URL}{customer_dana.pk}/identities/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_light_agent_cannot_add_identities(api, light_agent, customer_dana):
    assert add(api.as_user(light_agent), customer_dana, kind="email", address="d2@example.org").status_code == 403


# ---- who may call ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "{id}/"])
def test_customers_and_anonymous_cannot_read_profiles(api, customer_dana, customer_eve, path):
    url = URL + path.format(id=customer_eve.pk)
    assert api.get(url).status_code == 401
    assert api.as_user(customer_dana.user).get(url).status_code == 403
