"""POST /hooks/twilio/sms/ and /whatsapp/: signed by Twilio, stored at once, a ticket after commit."""

import base64

import pytest
from django.urls import reverse

from channels_in.inbox_models import InboundPayload
from customers.models import Customer
from customers.services import add_identity
from tests.channels_in.twilio.conftest import ACCOUNT_SID, AUTH_TOKEN, CUSTOMER_NUMBER, SMS_NUMBER, load, signature
from tickets.inbound import InboundMessage
from tickets.models import Channel, Message
from tickets.services import ingest

pytestmark = pytest.mark.django_db(transaction=True)

SMS_URL = "/hooks/twilio/sms/"
WHATSAPP_URL = "/hooks/twilio/whatsapp/"


def test_the_urls_are_named():
    assert (reverse("twilio:sms"), reverse("twilio:whatsapp")) == (SMS_URL, WHATSAPP_URL)
    assert reverse("twilio:status") == "/hooks/twilio/status/"


def test_an_inbound_sms_becomes_a_ticket_for_the_numbers_team(post_twilio, twilio_account):
    response = post_twilio(SMS_URL, load("sms.json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    message = Message.objects.select_related("ticket").get()
    assert (message.channel, message.external_id) == (Channel.SMS, "SM1f0e8ed3a1c5b3a8e1b8c0b6d2a7e9f1")
    assert (message.address, message.channel_address) == (CUSTOMER_NUMBER, SMS_NUMBER)
    assert message.body_text == "Hi, my order #4411 never arrived. Can you check?"
    assert message.ticket.team == twilio_account.team
    assert not InboundPayload.objects.exists()


def test_the_environment_account_alone_is_enough(post_twilio, settings):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT_SID, AUTH_TOKEN
    settings.TWILIO_PHONE_NUMBER = SMS_NUMBER

    assert post_twilio(SMS_URL, load("sms.json")).status_code == 200

    assert Message.objects.get().ticket.team is None


def test_mms_pictures_are_downloaded_with_the_accounts_credentials_and_attached(post_twilio, twilio_account, http):
    params = load("mms.json")
    http.get(params["MediaUrl0"], status=307, headers={"Location": "https://s3-external-1.amazonaws.com/media/p.jpg"})
    http.get("https://s3-external-1.amazonaws.com/media/p.jpg", body=b"\xff\xd8jpeg", content_type="image/jpeg")
    http.get(params["MediaUrl1"], body=b"%PDF-1.4", content_type="application/pdf")

    assert post_twilio(SMS_URL, params).status_code == 200

    message = Message.objects.get()
    assert message.body_text == "Here is the broken part and the receipt"
    files = {a.filename: (a.content_type, a.file.read()) for a in message.attachments.all()}
    assert files == {"MMS-1.jpg": ("image/jpeg", b"\xff\xd8jpeg"), "MMS-2.pdf": ("application/pdf", b"%PDF-1.4")}
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert http.calls[0].request.headers["Authorization"] == f"Basic {credentials}"
    # The CDN it redirects to never sees the account's credentials.
    assert "Authorization" not in http.calls[1].request.headers


def test_whatsapp_names_the_customer_from_the_profile(post_twilio, twilio_account):
    assert post_twilio(WHATSAPP_URL, load("whatsapp.json")).status_code == 200

    message = Message.objects.select_related("ticket__customer").get()
    assert message.channel == Channel.WHATSAPP
    assert message.address == CUSTOMER_NUMBER
    assert message.meta["profile_name"] == "Marta Ruiz"
    assert message.ticket.customer.name == "Marta Ruiz"


def test_a_forged_signature_is_refused_and_nothing_is_stored(post_twilio, twilio_account):
    forged = post_twilio(SMS_URL, load("sms.json"), token="not-the-accounts-token")
    unsigned = post_twilio(SMS_URL, load("sms.json"), sign="")
    tampered = load("sms.json") | {"Body": "Refund me"}
    replayed = post_twilio(SMS_URL, tampered, sign=signature(SMS_URL, load("sms.json")))

    assert [forged.status_code, unsigned.status_code, replayed.status_code] == [403, 403, 403]
    assert not InboundPayload.objects.exists()
    assert not Message.objects.exists()


def test_a_signed_request_without_sender_or_id_is_a_bad_request(post_twilio, twilio_account):
    no_sid = {k: v for k, v in load("sms.json").items() if k not in ("MessageSid", "SmsSid", "SmsMessageSid")}
    no_from = {k: v for k, v in load("sms.json").items() if k != "From"}

    first, second = post_twilio(SMS_URL, no_sid), post_twilio(SMS_URL, no_from)

    assert (first.status_code, first.content.decode()) == (400, "Missing Twilio parameter(s): MessageSid.")
    assert (second.status_code, second.content.decode()) == (400, "Missing Twilio parameter(s): From.")
    assert not InboundPayload.objects.exists()


def test_an_oversized_request_is_a_bad_request(post_twilio, twilio_account, settings):
    settings.TWILIO_WEBHOOK_MAX_BYTES = 1000

    response = post_twilio(SMS_URL, load("sms.json") | {"Body": "x" * 2000})

    assert response.status_code == 400
    assert "TWILIO_WEBHOOK_MAX_BYTES" in response.content.decode()
    assert not Message.objects.exists()


def test_a_provider_retry_of_the_same_message_stores_it_once(post_twilio, twilio_account):
    first, retry = post_twilio(SMS_URL, load("sms.json")), post_twilio(SMS_URL, load("sms.json"))

    assert (first.status_code, retry.status_code) == (200, 200)
    assert Message.objects.count() == 1


def test_the_same_phone_on_sms_whatsapp_and_email_is_one_customer(post_twilio, twilio_account):
    post_twilio(SMS_URL, load("sms.json"))
    post_twilio(WHATSAPP_URL, load("whatsapp.json"))
    customer = Customer.objects.get()
    add_identity(customer=customer, kind="email", address="marta@example.org")
    mail = ingest(
        InboundMessage(
            channel=Channel.EMAIL, external_id="<m1@example.org>", sender_address="Marta@Example.org", text="Hi"
        )
    )

    assert Customer.objects.count() == 1
    assert mail.ticket.customer == customer
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms", "whatsapp"]
