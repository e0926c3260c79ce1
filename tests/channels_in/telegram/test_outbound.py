"""Agent replies on Telegram tickets, as Telegram's API receives them, and what its errors do."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels_in.telegram.inbound import envelope, parse_update
from tests.channels_in.telegram.conftest import API, BOT_ID, update
from tickets.models import DeliveryStatus, TicketEvent
from tickets.services import ingest, reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    (msg,) = parse_update(envelope(bot_id=BOT_ID, team_id=None, raw_update=update("text")))
    return ingest(msg).ticket


def sent_message(message_id: int) -> dict:
    return {
        "ok": True,
        "result": {
            "message_id": message_id,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Acme Support", "username": "acme_support_bot"},
            "chat": {"id": 5123456789, "first_name": "Pat", "type": "private"},
            "date": 1764030500,
            "text": "Your parcel left our warehouse today.",
        },
    }


def send_reply(ticket, agent, capture, **kw):
    with capture(execute=True):
        message = reply(ticket=ticket, author=agent, text="Your parcel left our warehouse today.", **kw)
    message.refresh_from_db()
    return message


def test_reply_is_sent_to_the_customers_chat_and_its_telegram_id_kept(
    ticket, agent_alice, telegram_api, django_capture_on_commit_callbacks
):
    call = telegram_api.post(f"{API}/sendMessage", json=sent_message(31))

    message = send_reply(ticket, agent_alice, django_capture_on_commit_callbacks)

    assert json.loads(call.calls[0].request.body) == {
        "chat_id": "5123456789",
        "text": "Your parcel left our warehouse today.",
    }
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == f"{BOT_ID}:5123456789:31"


def test_a_customer_quoting_our_reply_threads_on_its_ticket(
    ticket, agent_alice, telegram_api, django_capture_on_commit_callbacks
):
    telegram_api.post(f"{API}/sendMessage", json=sent_message(22))
    send_reply(ticket, agent_alice, django_capture_on_commit_callbacks)

    (answer,) = parse_update(envelope(bot_id=BOT_ID, team_id=None, raw_update=update("location_reply")))

    assert ingest(answer).ticket == ticket


def test_attachments_follow_the_text_as_documents(
    ticket, agent_alice, telegram_api, django_capture_on_commit_callbacks
):
    telegram_api.post(f"{API}/sendMessage", json=sent_message(31))
    document = telegram_api.post(f"{API}/sendDocument", json=sent_message(32))
    upload = SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf")

    message = send_reply(ticket, agent_alice, django_capture_on_commit_callbacks, attachments=[upload])

    body = document.calls[0].request.body
    assert b'name="chat_id"\r\n\r\n5123456789' in body
    assert b'name="document"; filename="label.pdf"' in body and b"%PDF-1.4 label" in body
    assert message.external_id == f"{BOT_ID}:5123456789:31"


def test_a_user_who_blocked_the_bot_makes_the_reply_fail_with_that_reason(
    ticket, agent_alice, telegram_api, django_capture_on_commit_callbacks
):
    telegram_api.post(
        f"{API}/sendMessage",
        status=403,
        json={"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )

    message = send_reply(ticket, agent_alice, django_capture_on_commit_callbacks)

    assert message.delivery_status == DeliveryStatus.FAILED
    assert "Forbidden: bot was blocked by the user" in message.delivery_error
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.DELIVERY_FAILED).exists()


def test_a_rate_limited_reply_is_retried_later(ticket, agent_alice, telegram_api, django_capture_on_commit_callbacks):
    telegram_api.post(
        f"{API}/sendMessage",
        status=429,
        json={
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 14",
            "parameters": {"retry_after": 14},
        },
    )

    message = send_reply(ticket, agent_alice, django_capture_on_commit_callbacks)

    assert message.delivery_status == DeliveryStatus.RETRYING
    assert "retry after 14" in message.delivery_error
    assert message.next_attempt_at is not None
