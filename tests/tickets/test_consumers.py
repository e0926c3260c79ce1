"""The agent notification socket, over the configured channel layer (channels-redis in CI)."""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connections

from tickets.consumers import AgentConsumer
from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest, ingest_many, update_ticket

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    return communicator, connected


def sms(external_id: str) -> InboundMessage:
    return InboundMessage(channel=Channel.SMS, external_id=external_id, sender_address="+14155550100", text="Hello?")


def run(coro):
    async def and_close():
        try:
            return await coro
        finally:
            # The consumer's database thread keeps a connection; close it so the test DB can be dropped.
            await sync_to_async(connections.close_all)()

    # A thread of its own: the browser tests may leave Playwright's event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, and_close()).result()


def test_agent_hears_about_a_new_ticket(agent_alice, caplog):
    async def scenario():
        communicator, connected = await connect(agent_alice)
        assert connected
        await sync_to_async(ingest)(sms("SM-live-1"))
        event = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return event

    caplog.set_level(logging.ERROR)
    event = run(scenario())
    assert event["type"] == "ticket.created" and event["channel"] == "sms"
    assert not [r for r in caplog.records if r.name.startswith(("channels_redis", "redis"))]


def test_agent_hears_about_every_message_of_a_batch(agent_alice):
    async def scenario():
        communicator, connected = await connect(agent_alice)
        assert connected
        batch = [sms("SM-b1"), InboundMessage(channel=Channel.SMS, external_id="SM-b2", sender_address="+14155550199")]
        await sync_to_async(ingest_many)(batch + [sms("SM-b3")])
        received = [await communicator.receive_json_from(timeout=5) for _ in range(3)]
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        return received

    received = run(scenario())
    assert [e["type"] for e in received] == ["ticket.created", "ticket.created", "ticket.message"]


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_non_staff_are_refused(who, customer_dana):
    user = AnonymousUser() if who == "anonymous" else customer_dana.user

    async def scenario():
        _, connected = await connect(user)
        return connected

    assert run(scenario()) is False


def test_watching_a_ticket_of_another_team_is_ignored(agent_alice, agent_carl_other_team, team_support):
    ticket = ingest(sms("SM-1")).ticket
    update_ticket(ticket=ticket, by=agent_alice, team=team_support)

    async def scenario():
        carl, _ = await connect(agent_carl_other_team)
        alice, _ = await connect(agent_alice)
        await carl.send_json_to({"watch": ticket.pk})
        await alice.send_json_to({"watch": ticket.pk})
        await asyncio.sleep(0.2)
        await sync_to_async(ingest)(sms("SM-2"))  # threads onto the Support ticket
        alice_event = await alice.receive_json_from(timeout=5)
        carl_heard = not await carl.receive_nothing(timeout=0.5)
        await carl.disconnect()
        await alice.disconnect()
        return alice_event, carl_heard

    alice_event, carl_heard = run(scenario())
    assert alice_event["ticket"] == ticket.pk
    assert not carl_heard


def test_agents_on_one_ticket_see_each_other_view_type_and_leave(support_ticket, agent_alice, agent_bob_same_team):
    async def scenario():
        alice, _ = await connect(agent_alice)
        await alice.send_json_to({"watch": support_ticket.pk})
        bob, _ = await connect(agent_bob_same_team)
        await bob.send_json_to({"watch": support_ticket.pk})
        seen_by_alice = await alice.receive_json_from(timeout=5)  # bob arrived
        seen_by_bob = await bob.receive_json_from(timeout=5)  # alice answered that she is there
        await alice.send_json_to({"typing": support_ticket.pk, "state": True})
        typing = await bob.receive_json_from(timeout=5)
        await alice.send_json_to({"typing": 999999, "state": True})  # a ticket she does not watch: ignored
        quiet = await bob.receive_nothing(timeout=0.3)
        await alice.disconnect()
        left = await bob.receive_json_from(timeout=5)
        await bob.disconnect()
        return seen_by_alice, seen_by_bob, typing, quiet, left

    seen_by_alice, seen_by_bob, typing, quiet, left = run(scenario())
    assert (seen_by_alice["name"], seen_by_alice["state"]) == (agent_bob_same_team.display_name, "viewing")
    assert (seen_by_bob["user"], seen_by_bob["state"]) == (agent_alice.pk, "here")
    assert typing["state"] == "typing" and quiet
    assert (left["user"], left["state"]) == (agent_alice.pk, "left")
