"""The chat's groups and the frames pushed to them (docs/chat-protocol.md, "Server -> visitor").

Every frame of a chat goes to two groups: `chat.<session id>` (the agents' sockets on that chat)
and `chat.visitor.<visitor id>` (every tab of the visitor, including those that connected before
the chat existed). Frames carry `chat` and `ticket` for the agents; the visitor's socket keeps
only the protocol's fields (VISITOR_FIELDS).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from tickets.models import Direction, Message

FILE_SALT = "chat-file"

# What the visitor's socket forwards of each frame type; anything else stays on the server.
VISITOR_FIELDS = {
    "message": ("seq", "from", "author", "text", "at", "attachments", "id"),
    "status": ("state", "agent", "text"),
    "typing": ("state", "author"),
    "read": ("seq",),
}


def chat_group(session_id: int) -> str:
    return f"chat.{session_id}"


def visitor_group(visitor: str) -> str:
    return f"chat.visitor.{visitor}"


def groups(session) -> list[str]:
    return [chat_group(session.pk), visitor_group(session.visitor)]


def for_visitor(frame: dict) -> dict | None:
    """The frame as the widget gets it, or None if it is not for the visitor (their own typing/read)."""
    fields = VISITOR_FIELDS.get(frame.get("type", ""))
    if fields is None or (frame["type"] in ("typing", "read") and frame.get("from") != "agent"):
        return None
    return {"type": frame["type"], **{f: frame.get(f) for f in fields}}


def message_frame(message: Message, *, session) -> dict:
    """A chat message; `seq` is the Message pk. Needs author_agent, author_customer and attachments loaded."""
    if message.direction == Direction.IN:
        origin, author = "visitor", str(message.author_customer or "")
        prefix = f"{session.visitor}:"
        client_id = message.external_id[len(prefix) :] if (message.external_id or "").startswith(prefix) else None
    else:
        agent = message.author_agent
        origin, author, client_id = ("agent", agent.display_name, None) if agent else ("system", "", None)
    return {
        "type": "message",
        "chat": session.pk,
        "ticket": message.ticket_id,
        "seq": message.pk,
        "from": origin,
        "author": author,
        "text": message.body_text,
        "at": message.created_at.isoformat(),
        "attachments": [
            {"name": a.filename, "url": file_url(session, a.pk), "size": a.size}
            for a in message.attachments.all()
            if a.file
        ],
        "id": client_id,
    }


def file_url(session, attachment_id: int) -> str:
    """An absolute, unguessable download link for the visitor (the widget runs on another origin)."""
    token = signing.dumps({"a": attachment_id, "v": session.visitor}, salt=FILE_SALT)
    return settings.PUBLIC_URL + reverse("chat:file", args=[session.site.key, token])


def status_frame(*, chat: int | None, ticket: int | None, state: str, agent, text: str) -> dict:
    """`agent` (a User, for `active`) is named for the visitor and identified for the agents' sockets."""
    return {
        "type": "status",
        "chat": chat,
        "ticket": ticket,
        "state": state,
        "agent": agent.display_name if agent else None,
        "agent_id": agent.pk if agent else None,
        "text": text,
    }


def typing_frame(*, chat: int, ticket: int | None, origin: str, author: str, state: bool, user: int | None) -> dict:
    """`user` is the agent's id (None for the visitor), so an agent's own socket can skip its echo."""
    return {
        "type": "typing",
        "chat": chat,
        "ticket": ticket,
        "from": origin,
        "author": author,
        "state": state,
        "user": user,
    }


def read_frame(session, *, origin: str, seq: int, user: int | None) -> dict:
    return {"type": "read", "chat": session.pk, "ticket": session.ticket_id, "from": origin, "seq": seq, "user": user}


def visitor_typing_notice(*, chat: int, ticket: int, author: str, state: bool) -> dict:
    """The visitor's typing for the ticket page, in the shape of the collision notices it already
    shows (tickets.consumers, static/js/app.js: "Also on this ticket: Pat (typing a reply…)")."""
    return {
        "type": "ticket.viewer",
        "ticket": ticket,
        "user": f"chat-visitor-{chat}",
        "name": author,
        "state": "typing" if state else "left",
        "chat": chat,
    }


def agent_notice(kind: str, session, *, summary: str) -> dict:
    """chat.offer / chat.assigned / chat.withdrawn to one agent's group; the notification socket
    shows `summary` as a toast linking to the ticket, the chat socket joins or leaves the chat."""
    return {
        "type": kind,
        "chat": session.pk,
        "ticket": session.ticket_id,
        "site": session.site.name,
        "summary": summary,
    }
