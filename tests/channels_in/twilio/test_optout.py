"""STOP, START and HELP: carrier keywords are honoured and still shown to agents."""

import pytest

from customers.models import CustomerEvent, Identity
from tests.channels_in.twilio.conftest import CUSTOMER_NUMBER, MESSAGES_API, created, load
from tickets.models import DeliveryStatus, Message
from tickets.services import reply

pytestmark = pytest.mark.django_db(transaction=True)

SMS_URL = "/hooks/twilio/sms/"


def text(body: str, sid: str) -> dict:
    return load("sms.json") | {"Body": body, "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid}


@pytest.fixture
def ticket(post_twilio, twilio_account):
    post_twilio(SMS_URL, text("Where is my parcel?", "SM00000000000000000000000000000001"))
    return twilio_account.team.tickets.get()


def test_after_stop_a_reply_fails_with_the_reason_and_after_start_it_is_sent(ticket, post_twilio, agent_alice, http):
    http.post(MESSAGES_API, json=created(), status=201)

    post_twilio(SMS_URL, text("Stop", "SM00000000000000000000000000000002"))
    refused = reply(ticket=ticket, author=agent_alice, text="Your parcel is on its way.")
    post_twilio(SMS_URL, text("START", "SM00000000000000000000000000000003"))
    allowed = reply(ticket=ticket, author=agent_alice, text="Your parcel is on its way.")

    refused.refresh_from_db()
    allowed.refresh_from_db()
    assert refused.delivery_status == DeliveryStatus.FAILED
    assert "opted out" in refused.delivery_error and "START" in refused.delivery_error
    assert allowed.delivery_status == DeliveryStatus.SENT
    assert len(http.calls) == 1
    keywords = Message.objects.filter(ticket=ticket, meta__has_key="keyword").values_list("body_text", flat=True)
    assert sorted(keywords) == ["START", "Stop"]  # agents see both on the ticket
    kinds = CustomerEvent.objects.values_list("kind", flat=True).order_by("id")
    assert list(kinds) == [CustomerEvent.Kind.OPTED_OUT, CustomerEvent.Kind.OPTED_IN]


def test_stop_as_the_first_message_is_remembered(post_twilio, twilio_account):
    post_twilio(SMS_URL, text("STOP", "SM00000000000000000000000000000009"))

    identity = Identity.objects.get(address=CUSTOMER_NUMBER)
    assert identity.opted_out_at is not None
    assert Message.objects.get().body_text == "STOP"


def test_help_is_an_ordinary_message(ticket, post_twilio):
    post_twilio(SMS_URL, text("HELP", "SM00000000000000000000000000000004"))

    assert Identity.objects.get(address=CUSTOMER_NUMBER).opted_out_at is None
    assert ticket.messages.filter(body_text="HELP", meta={}).exists()


def test_stop_inside_a_sentence_is_not_a_keyword(ticket, post_twilio):
    post_twilio(SMS_URL, text("Please stop the delivery", "SM00000000000000000000000000000005"))

    assert Identity.objects.get(address=CUSTOMER_NUMBER).opted_out_at is None
