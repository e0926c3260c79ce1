import uuid

import pytest
from django.urls import reverse

from customers.models import RequestField, RequestFieldKind
from tickets.models import Channel, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields():
    return [
        RequestField.objects.create(
            label="Product", kind=RequestFieldKind.SELECT, choices="Printer\nScanner", required=True, position=1
        ),
        RequestField.objects.create(label="Order number", position=2),
        RequestField.objects.create(label="Urgent", kind=RequestFieldKind.CHECKBOX, position=3),
        RequestField.objects.create(label="Retired question", active=False),
    ]


def _data(**extra):
    return {"subject": "Paper jam", "message": "It jams.", "submission_id": str(uuid.uuid4())} | extra


def test_anonymous_visitor_sends_a_request_with_custom_fields(client, fields):
    page = client.get(reverse("portal:new-request")).content.decode()
    assert "Product" in page and "Order number" in page and "Retired question" not in page
    product, order, urgent, _ = fields

    data = _data(name="Pat", email="pat@example.org", **{f"field_{product.pk}": "Scanner", f"field_{urgent.pk}": "on"})
    response = client.post(reverse("portal:new-request"), data)

    assert response.url == reverse("portal:new-request-thanks")
    message = Message.objects.get()
    assert (message.channel, message.address) == (Channel.WEBFORM, "pat@example.org")
    assert message.ticket.subject == "Paper jam"
    assert message.meta == {"fields": {"Product": "Scanner", "Urgent": "Yes"}}
    assert f"#{message.ticket.pk}" in client.get(response.url).content.decode()


def test_a_required_field_must_be_answered(client, fields):
    response = client.post(reverse("portal:new-request"), _data(name="Pat", email="pat@example.org"))
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not Message.objects.exists()


def test_a_choice_not_offered_is_refused(client, fields):
    data = _data(name="Pat", email="pat@example.org", **{f"field_{fields[0].pk}": "Toaster"})
    assert client.post(reverse("portal:new-request"), data).status_code == 400


def test_signed_in_customer_sends_from_their_address(client, customer_dana):
    client.force_login(customer_dana.user)
    page = client.get(reverse("portal:new-request")).content.decode()
    assert "dana@example.org" in page and 'name="email"' not in page

    # An address posted anyway is ignored: the request is Dana's.
    response = client.post(reverse("portal:new-request"), _data(email="eve@example.org"))
    ticket = customer_dana.tickets.get()
    assert response.url == reverse("portal:ticket", args=[ticket.pk])
    assert ticket.messages.get().address == "dana@example.org"


def test_the_honeypot_drops_bots(client):
    data = _data(name="Bot", email="bot@example.org", website="http://spam.example")
    assert client.post(reverse("portal:new-request"), data).url == reverse("portal:new-request-thanks")
    assert not Message.objects.exists()


def test_requests_are_rate_limited_per_ip(client, settings):
    settings.WEBFORM_MAX_PER_HOUR = 2
    for _ in range(2):
        assert client.post(reverse("portal:new-request"), _data(name="P", email="p@example.org")).status_code == 302
    assert client.post(reverse("portal:new-request"), _data(name="P", email="p@example.org")).status_code == 429


def test_admin_adds_a_field_and_turns_on_organization_sharing(client, admin_ada):
    from customers.models import OrganizationPortalSettings
    from tests.factories import OrganizationFactory

    client.force_login(admin_ada)
    data = {"label": "Serial number", "kind": "text", "choices": "", "position": 1, "active": "on"}
    assert client.post(reverse("admin:customers_requestfield_add"), data).status_code == 302
    bad = {"label": "Colour", "kind": "select", "choices": "", "position": 2, "active": "on"}
    assert "needs at least one choice" in client.post(reverse("admin:customers_requestfield_add"), bad).content.decode()

    organization = OrganizationFactory()
    data = {"organization": organization.pk, "share_tickets": "on"}
    assert client.post(reverse("admin:customers_organizationportalsettings_add"), data).status_code == 302
    assert OrganizationPortalSettings.objects.get().share_tickets
    client.logout()
    assert "Serial number" in client.get(reverse("portal:new-request")).content.decode()
