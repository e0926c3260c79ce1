"""The chat's sockets: the widget's (VisitorConsumer, docs/chat-protocol.md) and the agents' chat
socket (AgentChatConsumer). Both stay thin: they check frames and call channels_in.chat.services.

Typing indicators are transient and skip the database: they go straight to the channel layer.
"""

import json
import time
from collections import deque
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError

from channels_in.chat import events, selectors, services
from channels_in.chat.inbound import visitor_name
from channels_in.chat.models import ChatSession, ChatSite
from helpdesk.roles import is_staff_member
from tickets import events as ticket_events
from tickets.services import IngestError

MAX_FRAME_BYTES = 16 * 1024
MAX_FRAMES_PER_SECOND = 10
# Close code for a refused socket; the widget does not retry after it. Sent after accepting, because
# a close before the handshake reaches the browser as a failed connection (code 1006), not as 4403.
REFUSED = 4403


def _event(frame: dict) -> dict:
    return {"type": "helpdesk.event", "event": frame}


class VisitorConsumer(AsyncWebsocketConsumer):
    """`ws/chat/<site_key>/?token=…`: one widget tab. Joins the visitor's group, so every tab hears
    a chat another tab started."""

    async def connect(self):
        self.visitor: str | None = None
        self.chat: int | None = None
        self.ticket: int | None = None
        self.author = ""
        self.typing = False
        self.recent: deque[float] = deque()
        token = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        origin = dict(self.scope.get("headers", [])).get(b"origin", b"").decode("latin-1")
        key = self.scope["url_route"]["kwargs"]["site_key"]
        self.site, visitor = await database_sync_to_async(_authenticate)(key, token, origin)
        await self.accept()
        if visitor is None:
            await self.close(code=REFUSED)
            return
        self.visitor, self.author = visitor, visitor_name(visitor)
        await self.channel_layer.group_add(events.visitor_group(visitor), self.channel_name)

    async def disconnect(self, code):
        if self.visitor is None:
            return
        if self.typing:
            await self._typing({"state": False})
        await self.channel_layer.group_discard(events.visitor_group(self.visitor), self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if self.visitor is None:
            return
        if not self._within_rate():
            return await self._error("rate_limited", f"At most {MAX_FRAMES_PER_SECOND} frames a second.")
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_FRAME_BYTES:
            return await self._error("too_large", f"Frames are at most {MAX_FRAME_BYTES // 1024} KB.")
        try:
            frame = json.loads(text_data) if text_data is not None else None
        except ValueError:
            frame = None
        kind = frame.get("type") if isinstance(frame, dict) else None
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return await self._error("invalid", "Frames are JSON objects with a known type.")
        await handler(self, frame)

    def _within_rate(self) -> bool:
        now = time.monotonic()
        while self.recent and now - self.recent[0] >= 1:
            self.recent.popleft()
        if len(self.recent) >= MAX_FRAMES_PER_SECOND:
            return False
        self.recent.append(now)
        return True

    async def _resume(self, frame: dict):
        after = frame.get("after", 0)
        if not _is_count(after):
            return await self._error("invalid", "`after` is the last seq you have, 0 at first.")
        session, frames, status = await database_sync_to_async(services.resume)(
            site=self.site, visitor=self.visitor, after=after
        )
        if session is not None:
            self._remember(session.pk, session.ticket_id, str(session.customer or ""))
        for item in [*frames, status]:
            await self._send(item)

    async def _message(self, frame: dict):
        try:
            chat, ticket, author, seq = await database_sync_to_async(_post)(
                self.site, self.visitor, frame.get("id"), frame.get("text", "")
            )
        except ValidationError as exc:
            return await self._error("invalid", " ".join(exc.messages))
        except IngestError:
            return await self._error("invalid", "We could not process this message; it was kept for our team.")
        self._remember(chat, ticket, author)
        await self.send(text_data=json.dumps({"type": "ack", "id": frame["id"], "seq": seq}))

    async def _identify(self, frame: dict):
        name, email = frame.get("name", ""), frame.get("email", "")
        if not isinstance(name, str) or not isinstance(email, str):
            return await self._error("invalid", "`name` and `email` are strings.")
        try:
            await database_sync_to_async(services.identify)(
                site=self.site, visitor=self.visitor, name=name, email=email
            )
        except ValidationError as exc:
            return await self._error("invalid", " ".join(exc.messages))
        self.author = name.strip()[:200] or self.author

    async def _typing(self, frame: dict):
        state = frame.get("state")
        if not isinstance(state, bool):
            return await self._error("invalid", "`state` is true or false.")
        if self.chat is None:
            return  # nobody to tell before the first message
        self.typing = state
        typing = events.typing_frame(
            chat=self.chat, ticket=self.ticket, origin="visitor", author=self.author, state=state, user=None
        )
        await self.channel_layer.group_send(events.chat_group(self.chat), _event(typing))
        if self.ticket is not None:
            notice = events.visitor_typing_notice(chat=self.chat, ticket=self.ticket, author=self.author, state=state)
            await self.channel_layer.group_send(ticket_events.ticket_group(self.ticket), _event(notice))

    async def _read(self, frame: dict):
        seq = frame.get("seq")
        if not _is_count(seq):
            return await self._error("invalid", "`seq` is the last message you have seen.")
        if self.chat is not None:
            await database_sync_to_async(_visitor_read)(self.site, self.visitor, self.chat, seq)

    async def _end(self, frame: dict):
        await database_sync_to_async(_visitor_end)(self.site, self.visitor)

    _handlers = {
        "resume": _resume,
        "message": _message,
        "identify": _identify,
        "typing": _typing,
        "read": _read,
        "end": _end,
    }

    def _remember(self, chat: int, ticket: int | None, author: str) -> None:
        self.chat, self.ticket = chat, ticket
        self.author = author or self.author

    async def helpdesk_event(self, message):
        await self._forward(message["event"])

    async def helpdesk_events(self, message):
        for event in message["events"]:
            await self._forward(event)

    async def _forward(self, event: dict) -> None:
        if event.get("chat") and event.get("type") in ("message", "status"):
            self.chat, self.ticket = event["chat"], event.get("ticket")  # a chat another tab started
        await self._send(event)

    async def _send(self, event: dict) -> None:
        frame = events.for_visitor(event)
        if frame is not None:
            await self.send(text_data=json.dumps(frame))

    async def _error(self, code: str, message: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "code": code, "message": message}))


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _authenticate(key: str, token: str, origin: str) -> tuple[ChatSite | None, str | None]:
    """The site and the token's visitor, or no visitor if the site, the page's origin or the token is wrong."""
    site = ChatSite.objects.filter(key=key, active=True).first()
    if site is None or not token or not site.allows_origin(origin):
        return site, None
    return site, services.visitor_from_token(site, token)


def _post(site: ChatSite, visitor: str, client_id, text) -> tuple[int, int | None, str, int]:
    """(chat, ticket, customer name, seq) of a visitor message, stored once per client id."""
    posted = services.post_visitor_message(site=site, visitor=visitor, client_id=client_id, text=text)
    session = posted.session
    customer = session.customer if session.customer_id else None
    return session.pk, session.ticket_id, str(customer or ""), posted.message.pk


def _visitor_read(site: ChatSite, visitor: str, chat_id: int, seq: int) -> None:
    session = ChatSession.objects.select_related("site").filter(pk=chat_id, site=site, visitor=visitor).first()
    if session is not None:
        services.read(session=session, seq=seq)


def _visitor_end(site: ChatSite, visitor: str) -> None:
    session = ChatSession.objects.filter(site=site, visitor=visitor, state__in=selectors.OPEN).first()
    if session is not None:
        services.end(session=session)


class AgentChatConsumer(AsyncJsonWebsocketConsumer):
    """`ws/agent/chat/`: an agent's live chats. Joins the agent's group (offers, chats handed to
    them) and the group of each chat they handle, and forwards the visitor's frames; takes the
    agent's `typing` and `read` for those chats."""

    async def connect(self):
        user = self.scope.get("user")
        self.chats: set[int] = set()
        self.visitors: dict[int, str] = {}
        await self.accept()
        if not await database_sync_to_async(is_staff_member)(user):
            await self.close(code=REFUSED)
            return
        self.user = user
        sessions = await database_sync_to_async(selectors.agent_chats)(user.pk)
        self.chats = {s.pk for s in sessions if s.agent_id == user.pk}
        for group in [ticket_events.agent_group(user.pk), *map(events.chat_group, self.chats)]:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"type": "chats", "chats": [_summary(s, user.pk) for s in sessions]})

    async def disconnect(self, code):
        if not hasattr(self, "user"):
            return
        for group in [ticket_events.agent_group(self.user.pk), *map(events.chat_group, self.chats)]:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        chat = content.get("chat") if isinstance(content, dict) else None
        kind = content.get("type") if isinstance(content, dict) else None
        if not isinstance(chat, int) or chat not in self.chats or kind not in ("typing", "read"):
            return await self.send_json({"type": "error", "code": "invalid", "message": "Not a chat you handle."})
        if kind == "typing":
            if not isinstance(content.get("state"), bool):
                return await self.send_json({"type": "error", "code": "invalid", "message": "`state` is a bool."})
            typing = events.typing_frame(
                chat=chat,
                ticket=None,
                origin="agent",
                author=self.user.display_name,
                state=content["state"],
                user=self.user.pk,
            )
            if chat not in self.visitors:
                self.visitors[chat] = await database_sync_to_async(_visitor_of)(chat)
            visitor = self.visitors[chat]
            for group in (events.chat_group(chat), events.visitor_group(visitor)):
                await self.channel_layer.group_send(group, _event(typing))
            return
        if not _is_count(content.get("seq")):
            return await self.send_json({"type": "error", "code": "invalid", "message": "`seq` is a count."})
        try:
            await database_sync_to_async(_agent_read)(chat, self.user, content["seq"])
        except PermissionDenied as exc:
            await self.send_json({"type": "error", "code": "invalid", "message": str(exc)})

    async def helpdesk_event(self, message):
        await self._forward(message["event"])

    async def helpdesk_events(self, message):
        for event in message["events"]:
            await self._forward(event)

    async def _forward(self, event: dict) -> None:
        kind, chat = event.get("type", ""), event.get("chat")
        if kind == "chat.assigned" and chat not in self.chats:
            self.chats.add(chat)
            await self.channel_layer.group_add(events.chat_group(chat), self.channel_name)
        if kind in ("typing", "read") and event.get("user") == self.user.pk:
            return  # our own
        if kind.startswith("chat.") or chat in self.chats:
            await self.send_json(event)
        mine = event.get("state") == "active" and event.get("agent_id") == self.user.pk
        if kind == "status" and chat in self.chats and not mine:
            # Ended, or handed to someone else: this socket stops following it.
            self.chats.discard(chat)
            await self.channel_layer.group_discard(events.chat_group(chat), self.channel_name)


def _summary(session: ChatSession, user_id: int) -> dict:
    return {
        "chat": session.pk,
        "ticket": session.ticket_id,
        "state": "offered" if session.offered_to_id == user_id else session.state,
        "visitor": str(session.customer or visitor_name(session.visitor)),
        "site": session.site.name,
    }


def _visitor_of(chat_id: int) -> str:
    return ChatSession.objects.values_list("visitor", flat=True).get(pk=chat_id)


def _agent_read(chat_id: int, user, seq: int) -> None:
    services.read(session=ChatSession.objects.select_related("site").get(pk=chat_id), seq=seq, by=user)
