"""Agent replies on chat tickets: to the widget while the chat lasts, by e-mail once it ended if the
visitor gave an address, else kept for the widget's next visit."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from channels_in.base import SendError
from channels_in.chat import services
from channels_in.chat.outbound import ChatSender
from tickets.models import DeliveryStatus, Message
from tickets.services import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(site, token, agent_alice):
    visitor = services.visitor_from_token(site, token)
    session = services.post_visitor_message(site=site, visitor=visitor, client_id="1", text="Hi").session
    services.accept(session=session, agent=agent_alice)
    return session


def answer(chat, agent, capture) -> Message:
    with capture(execute=True):
        message = reply(ticket=chat.ticket, author=agent, text="Here is your answer.")
    message.refresh_from_db()
    return message


def test_a_reply_during_the_chat_is_pushed_to_the_visitors_groups(
    chat, agent_alice, captured_events, django_capture_on_commit_callbacks
):
    message = answer(chat, agent_alice, django_capture_on_commit_callbacks)

    pushed = [(group, event) for group, event in captured_events if event["type"] == "message"]
    assert [group for group, _ in pushed] == [f"chat.{chat.pk}", f"chat.visitor.{chat.visitor}"]
    assert pushed[0][1]["seq"] == message.pk and pushed[0][1]["from"] == "agent"
    assert message.channel == "chat" and message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == f"out:{message.pk}" and not mail.outbox


def test_after_the_chat_ended_a_reply_goes_by_email_to_a_visitor_who_gave_one(
    chat, site, agent_alice, django_capture_on_commit_callbacks
):
    services.identify(site=site, visitor=chat.visitor, name="Pat", email="pat@example.org")
    services.end(session=chat, by=agent_alice)

    message = answer(chat, agent_alice, django_capture_on_commit_callbacks)

    (sent,) = mail.outbox
    assert sent.to == ["pat@example.org"] and sent.body == "Here is your answer."
    assert f"[#{chat.ticket.number}]" in sent.subject  # the customer's answer by mail threads back
    assert message.delivery_status == DeliveryStatus.SENT and message.external_id == sent.extra_headers["Message-ID"]
    assert message.meta["sent_as"] == "email" and message.meta["sent_to"] == "pat@example.org"


def test_a_chat_the_visitor_left_ends_so_a_late_reply_goes_by_email(
    chat, site, agent_alice, django_capture_on_commit_callbacks
):
    services.identify(site=site, visitor=chat.visitor, name="Pat", email="pat@example.org")
    later = timezone.now() + services.IDLE_TIMEOUT + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.end_idle(now=later) == 1

    answer(chat, agent_alice, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [["pat@example.org"]]


def test_after_an_anonymous_chat_ended_the_reply_waits_for_the_next_visit(
    chat, site, agent_alice, django_capture_on_commit_callbacks
):
    services.end(session=chat)

    message = answer(chat, agent_alice, django_capture_on_commit_callbacks)
    _, frames, status = services.resume(site=site, visitor=chat.visitor, after=0)

    assert not mail.outbox and message.delivery_status == DeliveryStatus.SENT
    assert [f["seq"] for f in frames][-1] == message.pk and status["state"] == "ended"
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED


def test_a_ticket_without_a_chat_cannot_be_answered_in_one(make_ticket, agent_alice):
    ticket = make_ticket()
    message = Message(ticket=ticket, direction="out", channel="chat", body_text="x")

    with pytest.raises(SendError) as raised:
        ChatSender().send(message)
    assert raised.value.permanent
