import json

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import ErasureRequest, ErasureState, Identity
from customers.services import add_identity
from surveys.models import CsatSurvey
from tickets.services import reply

pytestmark = pytest.mark.django_db


def test_profile_saves_name_language_and_time_zone(client, customer_dana):
    client.force_login(customer_dana.user)
    data = {"name": "Dana D.", "language": "de", "time_zone": "Europe/Berlin"}
    assert client.post(reverse("portal:profile"), data).status_code == 302
    customer_dana.refresh_from_db()
    assert (customer_dana.name, customer_dana.language, customer_dana.time_zone) == ("Dana D.", "de", "Europe/Berlin")
    assert client.post(reverse("portal:profile"), data | {"time_zone": "Mars/Olympus"}).status_code == 400


def test_identities_can_be_removed_but_not_the_last_address(client, customer_dana, customer_eve):
    phone = add_identity(customer=customer_dana, kind="phone", address="+14155550100")
    client.force_login(customer_dana.user)
    assert "+14155550100" in client.get(reverse("portal:profile")).content.decode()

    client.post(reverse("portal:identity-remove", args=[phone.pk]))
    email = customer_dana.identities.get()
    client.post(reverse("portal:identity-remove", args=[email.pk]))
    assert list(customer_dana.identities.all()) == [email]
    # Someone else's address is not theirs to remove.
    eve = customer_eve.identities.get()
    client.post(reverse("portal:identity-remove", args=[eve.pk]))
    assert Identity.objects.filter(pk=eve.pk).exists()


def test_download_my_data(client, customer_dana, dana_ticket, agent_alice, eve_ticket):
    reply(ticket=dana_ticket, author=agent_alice, text="Internal remark", internal=True)
    reply(ticket=dana_ticket, author=agent_alice, text="Here is your answer.")
    CsatSurvey.objects.create(
        ticket=dana_ticket,
        customer=customer_dana,
        scale="good_bad",
        channel="email",
        sent_at=timezone.now(),
        answered_at=timezone.now(),
        score=5,
        comment="Great",
    )
    client.force_login(customer_dana.user)

    response = client.get(reverse("portal:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(b"".join(response.streaming_content))

    assert data["customer"]["name"] == "Dana Customer"
    assert [i["address"] for i in data["identities"]] == ["dana@example.org"]
    (ticket,) = data["tickets"]
    assert ticket["number"] == dana_ticket.pk and ticket["subject"] == "Dana's invoice"
    assert [(m["from"], m["text"]) for m in ticket["messages"]] == [
        ("you", "It is on fire."),
        ("support", "Here is your answer."),
    ]
    assert ticket["messages"][0]["attachments"] == [
        {"filename": "invoice.pdf", "content_type": "application/pdf", "size": 13}
    ]
    assert data["satisfaction_answers"][0]["score"] == 5 and data["satisfaction_answers"][0]["comment"] == "Great"
    assert "Internal remark" not in json.dumps(data) and "Eve" not in json.dumps(data)


def test_request_deletion_once(client, customer_dana):
    client.force_login(customer_dana.user)
    client.post(reverse("portal:erasure"))
    client.post(reverse("portal:erasure"))
    (request,) = ErasureRequest.objects.all()
    assert (request.customer, request.state) == (customer_dana, ErasureState.PENDING)
    assert "an administrator will handle it" in client.get(reverse("portal:profile")).content.decode()
