"""The widget's socket and the agents' chat socket, through the proposed ASGI routing, over the
configured channel layer (channels-redis when REDIS_URL is set)."""

import asyncio
import logging

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from channels_in.chat import services
from channels_in.chat.models import ChatSession, ChatSite
from customers.models import Customer
from helpdesk.asgi import websocket_application as application
from tests.channels_in.chat.conftest import SHOP, agent, collect, frames_until, next_frame, online, run, visitor
from tickets.consumers import AgentConsumer
from tickets.models import DeliveryStatus, Message
from tickets.services import reply

pytestmark = [pytest.mark.django_db(transaction=True)]

db = sync_to_async


def start_chat(site, token: str, text: str = "Hello") -> ChatSession:
    visitor_id = services.visitor_from_token(site, token)
    return services.post_visitor_message(site=site, visitor=visitor_id, client_id="first", text=text).session


@pytest.mark.parametrize("case", ["tampered token", "other site's token", "no token", "foreign origin", "no origin"])
def test_a_wrong_token_or_origin_is_refused_with_4403(case, site, token, team_support):
    other = ChatSite.objects.create(name="Other", team=team_support, allowed_origins=[SHOP])
    tokens = {
        "tampered token": token[:-3] + "abc",
        "other site's token": services.open_session(site=other, token=None)[0],
        "no token": "",
    }
    origins = {"foreign origin": "https://evil.example", "no origin": None}
    headers = [] if origins.get(case, SHOP) is None else [(b"origin", origins.get(case, SHOP).encode())]

    async def scenario():
        path = f"/ws/chat/{site.key}/?token={tokens.get(case, token)}"
        communicator = WebsocketCommunicator(application, path, headers=headers)
        await communicator.connect()
        return await communicator.receive_output(timeout=5)

    closed = run(scenario())
    assert closed["type"] == "websocket.close" and closed["code"] == 4403


def test_a_message_becomes_a_chat_ticket_and_is_acked_with_its_seq(site, token, team_support):
    async def scenario():
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "resume", "after": 0})
        before = await next_frame(tab, "status")
        await tab.send_json_to({"type": "message", "id": "c-1", "text": "Where is my order?"})
        frames = await collect(tab, "ack", "message")
        await tab.disconnect()
        return before, frames

    before, frames = run(scenario())
    message = Message.objects.select_related("ticket").get()
    assert before == {"type": "status", "state": "offline", "agent": None, "text": before["text"]}
    assert frames["ack"] == {"type": "ack", "id": "c-1", "seq": message.pk}
    echo = frames["message"]
    assert (echo["seq"], echo["from"], echo["id"], echo["text"]) == (message.pk, "visitor", "c-1", "Where is my order?")
    assert set(echo) == {"type", "seq", "from", "author", "text", "at", "attachments", "id"}  # nothing internal
    assert message.ticket.channel == "chat" and message.ticket.team == team_support


def test_a_resent_message_is_stored_once(site, token):
    async def scenario():
        tab = await visitor(site, token)
        acks = []
        for _ in range(2):  # the ack was lost: the widget sends it again with the same id
            await tab.send_json_to({"type": "message", "id": "same", "text": "Hi"})
            acks.append(await next_frame(tab, "ack"))
        await tab.disconnect()
        return acks

    first, second = run(scenario())
    assert first == second and Message.objects.count() == 1


def test_resume_after_reconnect_returns_exactly_the_missed_messages(site, token, agent_alice):
    async def scenario():
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "message", "id": "m1", "text": "Is anyone there?"})
        seen = (await next_frame(tab, "ack"))["seq"]
        session = await db(ChatSession.objects.select_related("ticket").get)()
        await db(services.accept)(session=session, agent=agent_alice)
        await tab.disconnect()
        # While the tab is away: the agent answers (and notes something), the visitor writes from another tab.
        await db(reply)(ticket=session.ticket, author=agent_alice, text="Yes, how can I help?")
        await db(reply)(ticket=session.ticket, author=agent_alice, text="VIP customer", internal=True)
        other = await visitor(site, token)
        await other.send_json_to({"type": "message", "id": "m2", "text": "My parcel is late."})
        await next_frame(other, "ack")
        await other.disconnect()

        back = await visitor(site, token)
        await back.send_json_to({"type": "resume", "after": seen})
        frames = await frames_until(back, "status")
        quiet = await back.receive_nothing(timeout=0.3)
        await back.disconnect()
        return frames, quiet

    frames, quiet = run(scenario())
    public = list(Message.objects.filter(visibility="public").order_by("pk"))
    *missed, status = frames
    assert [f["seq"] for f in missed] == [m.pk for m in public[1:]]
    assert [(f["from"], f["author"], f["text"], f["id"]) for f in missed] == [
        ("agent", "Alice Agent", "Yes, how can I help?", None),
        ("visitor", missed[1]["author"], "My parcel is late.", "m2"),
    ]
    assert status["state"] == "active" and status["agent"] == "Alice Agent" and quiet
    assert Message.objects.get(direction="out", visibility="public").delivery_status == DeliveryStatus.DELIVERED


def test_an_agents_reply_reaches_the_visitor_live(site, token, agent_alice):
    session = start_chat(site, token)
    services.accept(session=session, agent=agent_alice)

    async def scenario():
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "resume", "after": 0})
        await next_frame(tab, "status")
        await db(reply)(ticket=session.ticket, author=agent_alice, text="On its way!")
        frame = await next_frame(tab, "message")
        await tab.disconnect()
        return frame

    frame = run(scenario())
    sent = Message.objects.get(direction="out")
    assert (frame["seq"], frame["from"], frame["author"], frame["text"]) == (
        sent.pk,
        "agent",
        "Alice Agent",
        "On its way!",
    )
    assert sent.delivery_status == DeliveryStatus.SENT and sent.channel == "chat"


def test_typing_goes_both_ways(site, token, agent_alice):
    session = start_chat(site, token)
    services.accept(session=session, agent=agent_alice)

    async def scenario():
        desk, _ = await agent(agent_alice)
        page = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
        page.scope["user"] = agent_alice
        await page.connect()
        await page.send_json_to({"watch": session.ticket_id})
        await asyncio.sleep(0.2)
        await page.receive_nothing(timeout=0.2)
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "resume", "after": 0})
        await next_frame(tab, "status")

        await tab.send_json_to({"type": "typing", "state": True})
        at_desk = await next_frame(desk, "typing")
        on_page = await next_frame(page, "ticket.viewer")
        await desk.send_json_to({"type": "typing", "chat": session.pk, "state": True})
        at_visitor = await next_frame(tab, "typing")
        no_echo = await desk.receive_nothing(timeout=0.3)
        for communicator in (tab, desk, page):
            await communicator.disconnect()
        return at_desk, on_page, at_visitor, no_echo

    at_desk, on_page, at_visitor, no_echo = run(scenario())
    assert at_desk["from"] == "visitor" and at_desk["state"] is True and at_desk["chat"] == session.pk
    assert on_page["state"] == "typing" and on_page["ticket"] == session.ticket_id
    assert on_page["name"] == at_desk["author"] == session.customer.name
    assert at_visitor == {"type": "typing", "state": True, "author": "Alice Agent"}
    assert no_echo


def test_read_receipts_go_both_ways(site, token, agent_alice):
    session = start_chat(site, token)
    services.accept(session=session, agent=agent_alice)
    asked = Message.objects.get()

    async def scenario():
        desk, hello = await agent(agent_alice)
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "resume", "after": asked.pk})
        await next_frame(tab, "status")
        answer = await db(reply)(ticket=session.ticket, author=agent_alice, text="Hi!")
        await next_frame(tab, "message")
        await tab.send_json_to({"type": "read", "seq": answer.pk})
        visitor_read = await next_frame(desk, "read")
        await desk.send_json_to({"type": "read", "chat": session.pk, "seq": asked.pk})
        agent_read = await next_frame(tab, "read")
        for communicator in (tab, desk):
            await communicator.disconnect()
        return hello, answer, visitor_read, agent_read

    hello, answer, visitor_read, agent_read = run(scenario())
    assert hello["chats"] == [
        {
            "chat": session.pk,
            "ticket": session.ticket_id,
            "state": "active",
            "visitor": hello["chats"][0]["visitor"],
            "site": "Acme shop",
        }
    ]
    assert (visitor_read["from"], visitor_read["seq"]) == ("visitor", answer.pk)
    assert agent_read == {"type": "read", "seq": asked.pk}
    session.refresh_from_db()
    assert (session.visitor_read_seq, session.agent_read_seq) == (answer.pk, asked.pk)
    answer.refresh_from_db()
    assert answer.delivery_status == DeliveryStatus.DELIVERED


def test_identify_puts_the_chat_in_the_existing_customers_history(site, token, customer_dana):
    async def scenario():
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "message", "id": "1", "text": "Hi"})
        await next_frame(tab, "ack")
        await tab.send_json_to({"type": "identify", "name": "Dana", "email": "dana@example.org"})
        await tab.send_json_to({"type": "identify", "name": "Dana", "email": "nope"})
        error = await next_frame(tab, "error")
        await tab.send_json_to({"type": "message", "id": "2", "text": "It's me"})
        await next_frame(tab, "ack")
        await tab.disconnect()
        return error

    error = run(scenario())
    assert error["code"] == "invalid"
    assert {m.ticket.customer for m in Message.objects.all()} == {customer_dana}
    assert customer_dana.tickets.get().channel == "chat"
    assert Customer.objects.filter(merged_into=customer_dana).count() == 1


def test_with_nobody_online_the_visitor_is_told_and_the_ticket_stays(site, token, agent_alice):
    async def scenario():
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "message", "id": "1", "text": "Hello?"})
        status = await next_frame(tab, "status")
        await tab.disconnect()
        return status

    status = run(scenario())
    ticket = Message.objects.get().ticket
    assert status["state"] == "offline" and status["agent"] is None
    assert ticket.status == "new" and ticket.assignee is None and ticket.team.name == "Support"


def test_a_new_chat_is_offered_to_the_online_agent_who_accepts_it(site, token, agent_alice):
    online(agent_alice)

    async def scenario():
        desk, _ = await agent(agent_alice)
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "message", "id": "1", "text": "Hello?"})
        offer = await next_frame(desk, "chat.offer")
        waiting = await next_frame(tab, "status")
        session = await db(ChatSession.objects.get)()
        await db(services.accept)(session=session, agent=agent_alice)
        active = await next_frame(tab, "status")
        await next_frame(desk, "chat.assigned")
        await tab.send_json_to({"type": "message", "id": "2", "text": "Thanks for taking this"})
        forwarded = await next_frame(desk, "message")
        for communicator in (tab, desk):
            await communicator.disconnect()
        return offer, waiting, active, forwarded

    offer, waiting, active, forwarded = run(scenario())
    session = ChatSession.objects.get()
    assert offer["chat"] == session.pk and offer["ticket"] == session.ticket_id
    assert waiting["state"] == "waiting" and active == {
        "type": "status",
        "state": "active",
        "agent": "Alice Agent",
        "text": "You are chatting with Alice Agent.",
    }
    assert forwarded["text"] == "Thanks for taking this" and forwarded["chat"] == session.pk


def test_transfer_moves_the_chat_to_the_other_agents_socket_and_end_closes_it(
    site, token, agent_alice, agent_bob_same_team
):
    session = start_chat(site, token)
    services.accept(session=session, agent=agent_alice)

    async def scenario():
        alice, _ = await agent(agent_alice)
        bob, _ = await agent(agent_bob_same_team)
        tab = await visitor(site, token)
        await db(services.transfer)(session=session, by=agent_alice, to_agent=agent_bob_same_team)
        to_visitor = await next_frame(tab, "status")
        await next_frame(bob, "chat.assigned")
        await next_frame(alice, "status")
        await tab.send_json_to({"type": "message", "id": "after-transfer", "text": "Hello Bob"})
        at_bob = await next_frame(bob, "message")
        alice_heard = not await alice.receive_nothing(timeout=0.3)
        await db(services.end)(session=session, by=agent_bob_same_team)
        ended = await next_frame(tab, "status")
        for communicator in (tab, alice, bob):
            await communicator.disconnect()
        return to_visitor, at_bob, alice_heard, ended

    to_visitor, at_bob, alice_heard, ended = run(scenario())
    assert to_visitor["state"] == "active" and to_visitor["agent"] == agent_bob_same_team.display_name
    assert at_bob["text"] == "Hello Bob" and not alice_heard
    assert ended["state"] == "ended"
    session.refresh_from_db()
    assert session.state == "ended" and session.ticket.assignee == agent_bob_same_team


def test_the_visitor_ends_the_chat(site, token):
    start_chat(site, token)

    async def scenario():
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "end"})
        status = await next_frame(tab, "status")
        await tab.disconnect()
        return status

    assert run(scenario())["state"] == "ended"
    assert ChatSession.objects.get().state == "ended"


def test_oversized_floods_and_bad_frames_get_errors_and_the_socket_stays_open(site, token):
    async def scenario():
        tab = await visitor(site, token)
        errors = []
        await tab.send_to(text_data='{"type": "message", "id": "big", "text": "' + "x" * 17000 + '"}')
        errors.append(await next_frame(tab, "error"))
        for bad in ("not json", '{"type": ["message"]}'):
            await tab.send_to(text_data=bad)
            errors.append(await next_frame(tab, "error"))
        await asyncio.sleep(1.1)
        for _ in range(11):  # typing before a chat exists is accepted and answers nothing
            await tab.send_json_to({"type": "typing", "state": True})
        errors.append(await next_frame(tab, "error"))
        await asyncio.sleep(1.1)
        await tab.send_json_to({"type": "resume", "after": 0})
        still_open = await next_frame(tab, "status")
        await tab.disconnect()
        return errors, still_open

    errors, still_open = run(scenario())
    assert [e["code"] for e in errors] == ["too_large", "invalid", "invalid", "rate_limited"]
    assert still_open["type"] == "status" and not Message.objects.exists()


def test_an_upload_arrives_on_the_socket_with_a_link_only_the_visitor_has(site, token):
    client = Client()

    async def scenario():
        tab = await visitor(site, token)
        await tab.send_json_to({"type": "resume", "after": 0})
        await next_frame(tab, "status")
        response = await db(client.post)(
            f"/chat/{site.key}/upload/",
            {
                "id": "file-1",
                "file": SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf"),
            },
            headers={"X-Chat-Token": token, "Origin": SHOP},
        )
        frame = await next_frame(tab, "message")
        await tab.disconnect()
        return response, frame

    response, frame = run(scenario())
    assert response.status_code == 200 and response.json() == {"seq": frame["seq"]}
    (attachment,) = frame["attachments"]
    assert attachment["name"] == "receipt.pdf" and attachment["size"] == 16
    assert attachment["url"].startswith("https://help.example.com/chat/")
    download = client.get(attachment["url"].removeprefix("https://help.example.com"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 receipt"
    assert download["Content-Disposition"].startswith("attachment")
    assert client.get(attachment["url"].removeprefix("https://help.example.com")[:-4] + "xxx/").status_code == 404


def test_the_agents_chat_socket_is_behind_the_host_check_and_for_staff_only(customer_dana, caplog):
    async def scenario():
        foreign = WebsocketCommunicator(application, "/ws/agent/chat/", headers=[(b"origin", b"https://evil.example")])
        foreign_ok, _ = await foreign.connect()
        customer = WebsocketCommunicator(application, "/ws/agent/chat/", headers=[(b"origin", b"http://testserver")])
        await customer.connect()
        refused = await customer.receive_output(timeout=5)
        return foreign_ok, refused

    caplog.set_level(logging.ERROR)
    foreign_ok, refused = run(scenario())
    assert foreign_ok is False
    assert refused["type"] == "websocket.close" and refused["code"] == 4403
