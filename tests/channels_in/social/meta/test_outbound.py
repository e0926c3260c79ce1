"""Agent replies on Messenger and Instagram: Meta's messaging windows and the Graph API's errors."""

import json
from datetime import timedelta

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from channels_in.base import SendError
from channels_in.social.meta.outbound import messaging_window
from tests.channels_in.social.meta.helpers import IGSID, PAGE_TOKEN, PSID, load, post_webhook
from tickets.models import DeliveryStatus, Message, Ticket, TicketEvent
from tickets.services import reply

SEND_URL = "https://graph.facebook.com/v21.0/me/messages"
EXPIRED_TOKEN = {
    "error": {
        "message": "Error validating access token: Session has expired on Monday, 25-Nov-24 02:00:00 PST.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "AbCdEfGhIjK",
    }
}


def customer_wrote(client, ago: timedelta, fixture: str = "messenger_text.json") -> Ticket:
    post_webhook(client, load(fixture, at=timezone.now() - ago))
    return Ticket.objects.get()


def answer(ticket: Ticket, agent, **kw) -> Message:
    message = reply(ticket=ticket, author=agent, text="Your parcel left our warehouse today.", **kw)
    message.refresh_from_db()
    return message


def sent_json(graph, index: int = 0) -> dict:
    return json.loads(graph.calls[index].request.body)


@pytest.mark.django_db(transaction=True)
def test_a_reply_within_24_hours_goes_out_as_a_response(client, graph, agent_alice):
    graph.post(SEND_URL, json={"recipient_id": PSID, "message_id": "m_out-1"})
    ticket = customer_wrote(client, timedelta(hours=2))

    message = answer(ticket, agent_alice)

    assert sent_json(graph) == {
        "recipient": {"id": PSID},
        "message": {"text": "Your parcel left our warehouse today."},
        "messaging_type": "RESPONSE",
    }
    assert f"access_token={PAGE_TOKEN}" in graph.calls[0].request.url
    assert (message.delivery_status, message.external_id) == (DeliveryStatus.SENT, "m_out-1")


@pytest.mark.django_db(transaction=True)
def test_a_reply_between_24_hours_and_7_days_carries_the_human_agent_tag(client, graph, agent_alice):
    graph.post(SEND_URL, json={"recipient_id": PSID, "message_id": "m_out-2"})
    ticket = customer_wrote(client, timedelta(days=3))

    message = answer(ticket, agent_alice)

    body = sent_json(graph)
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert message.delivery_status == DeliveryStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_reply_after_7_days_is_refused_for_good_with_the_reason(client, graph, agent_alice):
    ticket = customer_wrote(client, timedelta(days=8))

    message = answer(ticket, agent_alice)

    assert message.delivery_status == DeliveryStatus.FAILED
    assert "7 days" in message.delivery_error and "write again" in message.delivery_error
    assert not graph.calls


@pytest.mark.django_db(transaction=True)
def test_an_expired_page_token_fails_visibly_on_the_ticket(client, graph, agent_alice):
    graph.post(SEND_URL, status=400, json=EXPIRED_TOKEN)
    ticket = customer_wrote(client, timedelta(hours=1))

    message = answer(ticket, agent_alice)

    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error.startswith("Graph API error 190: Error validating access token")
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.DELIVERY_FAILED).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("status", "error"),
    [
        (503, {"message": "An unexpected error has occurred. Please retry your request later.", "code": 2}),
        (400, {"message": "Calls to this api have exceeded the rate limit.", "code": 613}),
        (500, None),
    ],
    ids=["5xx-transient", "rate-limit", "5xx-html"],
)
def test_a_temporary_graph_error_is_retried(client, graph, agent_alice, status, error):
    graph.post(SEND_URL, status=status, **({"json": {"error": error}} if error else {"body": "<html>oops</html>"}))
    ticket = customer_wrote(client, timedelta(hours=1))

    message = answer(ticket, agent_alice)

    assert message.delivery_status == DeliveryStatus.RETRYING
    assert message.delivery_error


@pytest.mark.django_db(transaction=True)
def test_a_timeout_is_retried_and_the_token_never_reaches_the_ticket(client, graph, agent_alice):
    graph.post(
        SEND_URL, body=requests.ConnectTimeout(f"Max retries exceeded with url: /me/messages?access_token={PAGE_TOKEN}")
    )
    ticket = customer_wrote(client, timedelta(hours=1))

    message = answer(ticket, agent_alice)

    assert message.delivery_status == DeliveryStatus.RETRYING
    assert "Could not reach the Graph API" in message.delivery_error
    assert PAGE_TOKEN not in message.delivery_error


@pytest.mark.django_db(transaction=True)
def test_an_instagram_reply_goes_to_the_igsid_with_the_page_token(client, graph, agent_alice):
    graph.post(SEND_URL, json={"recipient_id": IGSID, "message_id": "aWdfZAG1-out"})
    ticket = customer_wrote(client, timedelta(minutes=5), fixture="instagram_dm.json")

    message = answer(ticket, agent_alice)

    assert (message.channel, message.delivery_status, message.external_id) == ("instagram", "sent", "aWdfZAG1-out")
    assert sent_json(graph)["recipient"] == {"id": IGSID}
    assert f"access_token={PAGE_TOKEN}" in graph.calls[0].request.url


@pytest.mark.django_db(transaction=True)
def test_a_messenger_reply_uploads_its_file_after_the_text(client, graph, agent_alice):
    graph.post(SEND_URL, json={"recipient_id": PSID, "message_id": "m_text"})
    graph.post(SEND_URL, json={"recipient_id": PSID, "message_id": "m_file", "attachment_id": "1857777774821032"})
    ticket = customer_wrote(client, timedelta(hours=1))

    message = answer(ticket, agent_alice, attachments=[SimpleUploadedFile("label.pdf", b"%PDF-1.7", "application/pdf")])

    assert message.external_id == "m_text"
    upload = graph.calls[1].request
    assert b'name="filedata"; filename="label.pdf"' in upload.body
    assert b'"type": "file"' in upload.body


@pytest.mark.django_db(transaction=True)
def test_an_instagram_reply_with_a_file_is_refused_with_the_reason(client, graph, agent_alice):
    ticket = customer_wrote(client, timedelta(hours=1), fixture="instagram_dm.json")

    message = answer(ticket, agent_alice, attachments=[SimpleUploadedFile("label.pdf", b"%PDF-1.7", "application/pdf")])

    assert message.delivery_status == DeliveryStatus.FAILED
    assert "public link" in message.delivery_error
    assert not graph.calls


def test_the_windows_edges():
    now = timezone.now()

    assert messaging_window(now - timedelta(hours=24), now) == {"messaging_type": "RESPONSE"}
    assert messaging_window(now - timedelta(days=7), now)["tag"] == "HUMAN_AGENT"
    with pytest.raises(SendError) as never:
        messaging_window(None, now)
    assert never.value.permanent
