"""Agent replies leave through Twilio's Messages API (mocked at HTTP): SMS, MMS and WhatsApp."""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from channels_in.twilio.media import attachment_for_link
from customers.models import Identity
from tests.channels_in.twilio.conftest import (
    CUSTOMER_NUMBER,
    MESSAGES_API,
    PUBLIC_URL,
    SMS_NUMBER,
    WHATSAPP_NUMBER,
    created,
    load,
)
from tickets.models import Channel, DeliveryStatus, Direction, Message
from tickets.services import deliver, reply
from tickets.tasks import send_message_task

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sms_ticket(post_twilio, twilio_account):
    post_twilio("/hooks/twilio/sms/", load("sms.json"))
    return twilio_account.team.tickets.get()


@pytest.fixture
def whatsapp_ticket(post_twilio, twilio_account):
    post_twilio("/hooks/twilio/whatsapp/", load("whatsapp.json"))
    return twilio_account.team.tickets.get()


def sent_form(call) -> dict[str, list[str]]:
    return parse_qs(call.request.body)


def age_customer_messages(ticket, hours: int) -> None:
    ticket.messages.filter(direction=Direction.IN).update(created_at=timezone.now() - timedelta(hours=hours))


def test_an_sms_reply_goes_from_the_number_the_customer_wrote_to(sms_ticket, agent_alice, http):
    http.post(MESSAGES_API, json=created(), status=201)

    message = reply(ticket=sms_ticket, author=agent_alice, text="Thanks, we are on it.")

    form = sent_form(http.calls[0])
    assert (form["To"], form["From"], form["Body"]) == ([CUSTOMER_NUMBER], [SMS_NUMBER], ["Thanks, we are on it."])
    assert form["StatusCallback"] == [f"{PUBLIC_URL}/hooks/twilio/status/"]
    message.refresh_from_db()
    assert (message.delivery_status, message.external_id) == (DeliveryStatus.SENT, created()["sid"])


def test_an_mms_reply_links_its_attachment_for_twilio_to_fetch(sms_ticket, agent_alice, http, client):
    http.post(MESSAGES_API, json=created(num_media="1"), status=201)
    photo = SimpleUploadedFile("label.png", b"\x89PNG label", content_type="image/png")

    reply(ticket=sms_ticket, author=agent_alice, text="Print this label.", attachments=[photo])

    (link,) = sent_form(http.calls[0])["MediaUrl"]
    assert link.startswith(f"{PUBLIC_URL}/hooks/twilio/media/")
    fetched = client.get(link.removeprefix(PUBLIC_URL))
    assert (fetched.status_code, b"".join(fetched.streaming_content)) == (200, b"\x89PNG label")
    assert attachment_for_link(link.rstrip("/").rsplit("/", 1)[-1] + "x") is None
    assert client.get("/hooks/twilio/media/forged/").status_code == 404


def test_an_invalid_number_fails_at_once_with_twilios_reason(sms_ticket, agent_alice, http):
    error = {
        "code": 21211,
        "message": f"The 'To' number {CUSTOMER_NUMBER} is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    }
    http.post(MESSAGES_API, json=error, status=400)

    message = reply(ticket=sms_ticket, author=agent_alice, text="Hello?")

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "error 21211" in message.delivery_error and "not a valid phone number" in message.delivery_error


def test_twilio_outage_and_timeout_are_retried_later(sms_ticket, agent_alice, http):
    http.post(MESSAGES_API, json={"code": 20500, "message": "Internal Server Error", "status": 500}, status=500)
    http.post(MESSAGES_API, body=requests.exceptions.ReadTimeout("read timed out"))

    outage = reply(ticket=sms_ticket, author=agent_alice, text="One")
    timeout = reply(ticket=sms_ticket, author=agent_alice, text="Two")

    outage.refresh_from_db()
    timeout.refresh_from_db()
    assert (outage.delivery_status, timeout.delivery_status) == (DeliveryStatus.RETRYING, DeliveryStatus.RETRYING)
    assert "HTTP 500" in outage.delivery_error
    assert "read timed out" in timeout.delivery_error


def test_an_unsubscribed_recipient_is_marked_opted_out(sms_ticket, agent_alice, http):
    error = {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}
    http.post(MESSAGES_API, json=error, status=400)

    message = reply(ticket=sms_ticket, author=agent_alice, text="Hello?")

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert Identity.objects.get(address=CUSTOMER_NUMBER).opted_out_at is not None


def test_whatsapp_free_text_inside_the_24_hour_window(whatsapp_ticket, agent_alice, http):
    http.post(MESSAGES_API, json=created(), status=201)

    message = reply(ticket=whatsapp_ticket, author=agent_alice, text="Yes, 10 to 4.")

    form = sent_form(http.calls[0])
    assert (form["To"], form["From"]) == ([f"whatsapp:{CUSTOMER_NUMBER}"], [f"whatsapp:{WHATSAPP_NUMBER}"])
    assert form["Body"] == ["Yes, 10 to 4."]
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT


def test_whatsapp_after_24_hours_sends_the_chosen_template(whatsapp_ticket, agent_alice, http, monkeypatch):
    http.post(MESSAGES_API, json=created(), status=201)
    age_customer_messages(whatsapp_ticket, hours=25)
    # The agent's reply form stores the chosen approved template on the message before it is sent.
    monkeypatch.setattr(send_message_task, "delay", lambda message_id: None)
    message = reply(ticket=whatsapp_ticket, author=agent_alice, text="Following up on your question")
    template = {
        "whatsapp_template": "HXb5b62575e6e4ff6129ad7c8efe1f983e",
        "whatsapp_template_variables": {"1": "Marta"},
    }
    Message.objects.filter(pk=message.pk).update(meta=template)

    assert deliver(message.pk) == DeliveryStatus.SENT

    form = sent_form(http.calls[0])
    assert form["ContentSid"] == ["HXb5b62575e6e4ff6129ad7c8efe1f983e"]
    assert form["ContentVariables"] == ['{"1": "Marta"}']
    assert form["To"] == [f"whatsapp:{CUSTOMER_NUMBER}"]
    assert "Body" not in form


def test_whatsapp_after_24_hours_without_template_falls_back_to_sms(whatsapp_ticket, agent_alice, http):
    http.post(MESSAGES_API, json=created(), status=201)
    age_customer_messages(whatsapp_ticket, hours=25)

    message = reply(ticket=whatsapp_ticket, author=agent_alice, text="Are you still there?")

    form = sent_form(http.calls[0])
    assert (form["To"], form["From"]) == ([CUSTOMER_NUMBER], [SMS_NUMBER])
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.meta["sent_as"] == Channel.SMS
    assert "over 24 hours old" in message.meta["fallback_reason"]


def test_whatsapp_after_24_hours_without_template_or_sms_number_fails_saying_why(
    whatsapp_ticket, agent_alice, http, twilio_account
):
    twilio_account.phone_number = ""
    twilio_account.save()
    age_customer_messages(whatsapp_ticket, hours=25)

    message = reply(ticket=whatsapp_ticket, author=agent_alice, text="Are you still there?")

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "over 24 hours old" in message.delivery_error and "template" in message.delivery_error
    assert not http.calls
