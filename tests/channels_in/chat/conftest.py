"""A chat site of team Support embedded on shop.example.com, and helpers to drive its sockets.

Consumer tests run over the configured channel layer: channels-redis when REDIS_URL is set (CI),
the in-memory layer otherwise.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from channels_in.chat import services
from channels_in.chat.consumers import AgentChatConsumer
from channels_in.chat.models import ChatSite
from helpdesk.asgi import websocket_application as application
from tickets.services.assign import set_presence

SHOP = "https://shop.example.com"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_URL = "https://help.example.com"


@pytest.fixture
def site(team_support):
    return ChatSite.objects.create(
        name="Acme shop", team=team_support, allowed_origins=[SHOP], title="Acme support", language="en"
    )


@pytest.fixture
def token(site):
    """A visitor's token, as the widget got it from the session call."""
    return services.open_session(site=site, token=None)[0]


def online(*agents, chat_capacity: int = 3) -> None:
    for agent in agents:
        set_presence(agent, "online")
        agent.agent_profile.chat_capacity = chat_capacity
        agent.agent_profile.save(update_fields=["chat_capacity"])


def run(coro):
    """Run a socket scenario on its own event loop and thread, then drop its database connections."""

    async def and_close():
        try:
            return await coro
        finally:
            await sync_to_async(connections.close_all)()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, and_close()).result()


async def visitor(site, token: str, *, origin: str = SHOP) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode())] if origin else []
    communicator = WebsocketCommunicator(application, f"/ws/chat/{site.key}/?token={token}", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def agent(user) -> tuple[WebsocketCommunicator, dict]:
    """The agent's chat socket (session auth is the router's job; tests set the user) and its first frame."""
    communicator = WebsocketCommunicator(AgentChatConsumer.as_asgi(), "/ws/agent/chat/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator, await communicator.receive_json_from(timeout=5)


async def next_frame(communicator: WebsocketCommunicator, kind: str, timeout: float = 5) -> dict:
    """The next frame of this type; frames of other types before it are skipped."""
    async with asyncio.timeout(timeout):
        while True:
            frame = await communicator.receive_json_from(timeout=timeout)
            if frame["type"] == kind:
                return frame


async def frames_until(communicator: WebsocketCommunicator, kind: str, timeout: float = 5) -> list[dict]:
    """Every frame up to and including the next one of this type, in order."""
    received: list[dict] = []
    async with asyncio.timeout(timeout):
        while not received or received[-1]["type"] != kind:
            received.append(await communicator.receive_json_from(timeout=timeout))
    return received


async def collect(communicator: WebsocketCommunicator, *kinds: str, timeout: float = 5) -> dict[str, dict]:
    """The first frame of each of these types, in whatever order they come (an ack and the message's
    own echo race each other)."""
    found: dict[str, dict] = {}
    async with asyncio.timeout(timeout):
        while not set(kinds) <= set(found):
            frame = await communicator.receive_json_from(timeout=timeout)
            found.setdefault(frame["type"], frame)
    return found
