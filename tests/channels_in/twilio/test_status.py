"""POST /hooks/twilio/status/: Twilio's delivery reports move a reply forward, never back."""

import pytest

from tests.channels_in.twilio.conftest import MESSAGES_API, created, load
from tickets.models import DeliveryStatus, Message
from tickets.services import reply

pytestmark = pytest.mark.django_db(transaction=True)

STATUS_URL = "/hooks/twilio/status/"


@pytest.fixture
def sent_reply(post_twilio, twilio_account, agent_alice, http) -> Message:
    http.post(MESSAGES_API, json=created(), status=201)
    post_twilio("/hooks/twilio/sms/", load("sms.json"))
    message = reply(ticket=twilio_account.team.tickets.get(), author=agent_alice, text="Thanks, we are on it.")
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    return message


def status(state: str, **extra: str) -> dict:
    return load("status_delivered.json") | {"MessageStatus": state, "SmsStatus": state, **extra}


def test_delivered_then_a_late_sent_stays_delivered(sent_reply, post_twilio):
    delivered = post_twilio(STATUS_URL, status("delivered"))
    late = post_twilio(STATUS_URL, status("sent"))

    assert (delivered.status_code, late.status_code) == (204, 204)
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == DeliveryStatus.DELIVERED


def test_an_undelivered_report_fails_the_reply_with_a_reason_agents_understand(sent_reply, post_twilio):
    post_twilio(STATUS_URL, status("undelivered", ErrorCode="30006"))

    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == DeliveryStatus.FAILED
    assert sent_reply.delivery_error == "Twilio error 30006: The number is a landline or cannot receive messages."


def test_a_forged_report_changes_nothing(sent_reply, post_twilio):
    response = post_twilio(STATUS_URL, status("failed", ErrorCode="30005"), token="forged")

    assert response.status_code == 403
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == DeliveryStatus.SENT


def test_a_report_for_a_whatsapp_reply_sent_as_sms_finds_it(post_twilio, twilio_account, agent_alice, http):
    http.post(MESSAGES_API, json=created(), status=201)
    post_twilio("/hooks/twilio/whatsapp/", load("whatsapp.json"))
    ticket = twilio_account.team.tickets.get()
    ticket.messages.update(created_at=ticket.created_at.replace(year=ticket.created_at.year - 1))
    message = reply(ticket=ticket, author=agent_alice, text="Still there?")

    post_twilio(STATUS_URL, status("delivered"))

    message.refresh_from_db()
    assert (message.meta["sent_as"], message.delivery_status) == ("sms", DeliveryStatus.DELIVERED)


def test_a_report_without_status_is_a_bad_request(post_twilio, twilio_account):
    params = {k: v for k, v in status("sent").items() if k != "MessageStatus"}

    response = post_twilio(STATUS_URL, params)

    assert (response.status_code, response.content.decode()) == (400, "Missing Twilio parameter(s): MessageStatus.")
