"""A ticket's messages over the API: the timeline, attachments, replies and internal notes."""

import pytest
from django.core import mail

from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models import Channel, DeliveryStatus, Message, Status
from tickets.services import ingest

pytestmark = pytest.mark.django_db


def messages_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.number}/messages/"


@pytest.fixture
def ticket_with_attachments(settings):
    settings.MAX_ATTACHMENT_BYTES = 100
    message = InboundMessage(
        channel=Channel.EMAIL,
        external_id="<att@example.org>",
        sender_address="pat@example.org",
        subject="Invoice",
        text="See attached.",
        attachments=(
            InboundAttachment("invoice.txt", "text/plain", b"total: 42"),
            InboundAttachment("huge.pdf", "application/pdf", b"", declared_size=5000),
        ),
    )
    return ingest(message).ticket


def test_messages_list_the_timeline_with_attachments(api, agent_alice, ticket_with_attachments):
    response = api.as_user(agent_alice).get(messages_url(ticket_with_attachments))

    assert response.status_code == 200
    (message,) = response.json()["results"]
    assert (message["direction"], message["visibility"], message["text"]) == ("in", "public", "See attached.")
    assert message["author"]["type"] == "customer"
    stored, refused = message["attachments"]
    assert (stored["filename"], stored["size"], stored["refused_reason"]) == ("invoice.txt", 9, "")
    assert stored["download_url"].startswith("http://testserver/api/v1/tickets/")
    assert refused["download_url"] is None
    assert "over the 100\xa0bytes limit" in refused["refused_reason"]


def test_attachment_download_returns_the_file(api, agent_alice, ticket_with_attachments):
    api.as_user(agent_alice)
    stored = api.get(messages_url(ticket_with_attachments)).json()["results"][0]["attachments"][0]

    response = api.get(stored["download_url"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"total: 42"
    assert 'attachment; filename="invoice.txt"' in response["Content-Disposition"]


def test_refused_attachment_has_nothing_to_download(api, agent_alice, ticket_with_attachments):
    refused = ticket_with_attachments.messages.get().attachments.get(filename="huge.pdf")
    url = f"/api/v1/tickets/{ticket_with_attachments.number}/attachments/{refused.pk}/"
    assert api.as_user(agent_alice).get(url).status_code == 404


def test_attachment_is_only_reachable_through_its_own_ticket(api, agent_alice, ticket_with_attachments, make_ticket):
    other = make_ticket()
    attachment = ticket_with_attachments.messages.get().attachments.first()
    url = f"/api/v1/tickets/{other.number}/attachments/{attachment.pk}/"
    assert api.as_user(agent_alice).get(url).status_code == 404


def test_reply_is_queued_and_sent_by_email(api, agent_alice, support_ticket, django_capture_on_commit_callbacks):
    api.as_user(agent_alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/tickets/{support_ticket.number}/reply/", {"text": "Turn it off.", "status": "pending"}
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["direction"], body["visibility"], body["delivery_status"]) == ("out", "public", "queued")
    assert body["author"] == {"type": "agent", "id": agent_alice.pk, "name": "Alice Agent"}
    assert Message.objects.get(pk=body["id"]).delivery_status == DeliveryStatus.SENT
    assert mail.outbox[0].to == ["pat@example.org"]
    assert "Turn it off." in mail.outbox[0].body
    support_ticket.refresh_from_db()
    assert support_ticket.status == Status.PENDING
    assert support_ticket.first_response_at is not None


def test_note_stays_internal(api, agent_alice, support_ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(agent_alice).post(
            f"/api/v1/tickets/{support_ticket.number}/notes/", {"text": "Customer is VIP."}
        )

    assert response.status_code == 201
    assert response.json()["visibility"] == "internal"
    assert mail.outbox == []
    listed = api.get(messages_url(support_ticket)).json()["results"]
    assert [m["visibility"] for m in listed] == ["public", "internal"]


def test_light_agent_may_note_but_not_reply(api, light_agent, support_ticket):
    api.as_user(light_agent)

    note = api.post(f"/api/v1/tickets/{support_ticket.number}/notes/", {"text": "Looks like billing."})
    reply = api.post(f"/api/v1/tickets/{support_ticket.number}/reply/", {"text": "Hello!"})

    assert note.status_code == 201
    assert reply.status_code == 403
    assert list(support_ticket.messages.filter(direction="out").values_list("visibility", flat=True)) == ["internal"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("reply", {"text": "x" * 50_001}, "text"),
        ("notes", {"text": "x" * 50_001}, "text"),
        ("reply", {"text": ""}, "text"),
        ("reply", {"text": "   "}, "text"),
        ("reply", {"text": "Hi", "status": "done"}, "status"),
        ("notes", {"text": "Hi", "status": "solved"}, "status"),
        ("notes", {"text": "Hi", "internal": False}, "internal"),
        ("reply", {}, "text"),
    ],
)
def test_bad_reply_or_note_is_a_400(api, agent_alice, support_ticket, path, body, field):
    response = api.as_user(agent_alice).post(f"/api/v1/tickets/{support_ticket.number}/{path}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert support_ticket.messages.count() == 1


def test_other_team_cannot_read_or_write_messages(api, agent_carl_other_team, support_ticket):
    api.as_user(agent_carl_other_team)
    assert api.get(messages_url(support_ticket)).status_code == 404
    assert api.post(f"/api/v1/tickets/{support_ticket.number}/reply/", {"text": "hi"}).status_code == 404
    assert api.post(f"/api/v1/tickets/{support_ticket.number}/notes/", {"text": "hi"}).status_code == 404
    assert support_ticket.messages.count() == 1


def test_messages_are_paginated(api, agent_alice, support_ticket):
    api.as_user(agent_alice)
    for i in range(3):
        api.post(f"/api/v1/tickets/{support_ticket.number}/notes/", {"text": f"note {i}"})

    page = api.get(f"{messages_url(support_ticket)}?page_size=2").json()

    assert [m["text"] for m in page["results"]] == ["It is on fire.", "note 0"]
    assert page["next"]
