"""Telegram Bot API updates -> InboundMessage (pure: no ORM, no network).

The webhook stores an envelope, `{"bot_id": ..., "team_id": ..., "update": <Telegram's JSON as
received>}`, because an Update does not say which bot it was sent to, and the bot decides the
address replies leave from, where files are downloaded from and the team of a new ticket.

What becomes a message: `message` and `edited_message` in private chats (a customer talking to the
bot). Group, supergroup and channel chats are ignored on purpose: every member of a group would
become a customer and every remark a ticket, and with Telegram's default privacy mode the bot sees
only commands there anyway. Other update kinds (my_chat_member when a user blocks the bot,
callback_query, polls, ...) give no message; an update kind Telegram adds later is ignored the same
way, never an error.

Provider ids are "<bot id>:<chat id>:<message id>": Telegram numbers messages per chat (both
directions share the sequence), and one person's chat with two of our bots has the same chat id.
"""

import json
from datetime import UTC, datetime

from tickets.inbound import InboundMessage, RemoteMedia
from tickets.models.choices import Channel

# Message kinds without text or a file we keep: shown to the agent as a placeholder, not dropped.
_UNSUPPORTED = ("poll", "dice", "game", "story", "invoice", "paid_media")


def envelope(*, bot_id: int, team_id: int | None, raw_update: str) -> str:
    """The stored form of an update: Telegram's JSON kept byte for byte, with what only the URL knew."""
    return f'{{"bot_id": {int(bot_id)}, "team_id": {json.dumps(team_id)}, "update": {raw_update}}}'


def media_url(bot_id: int, file_id: str) -> str:
    """How a Telegram file is named until it is downloaded (see channels_in.telegram.media)."""
    return f"tg-file:{bot_id}:{file_id}"


def message_id(bot_id: int, chat_id: int, telegram_message_id: int) -> str:
    return f"{bot_id}:{chat_id}:{telegram_message_id}"


def parse_update(body: str) -> list[InboundMessage]:
    """The customer messages in one stored update; [] for updates that carry none."""
    data = json.loads(body)
    bot_id, team_id, update = int(data["bot_id"]), data.get("team_id"), data["update"]
    if "message" in update:
        return _parse_message(update["message"], bot_id=bot_id, team_id=team_id, edited=False)
    if "edited_message" in update:
        return _parse_message(update["edited_message"], bot_id=bot_id, team_id=team_id, edited=True)
    return []


def _parse_message(msg: dict, *, bot_id: int, team_id: int | None, edited: bool) -> list[InboundMessage]:
    chat, sender = msg.get("chat") or {}, msg.get("from") or {}
    if chat.get("type") != "private" or "id" not in sender:
        return []
    text, media = _content(msg, bot_id)
    if not text and not media:
        return []
    chat_id = chat["id"]
    own_id = message_id(bot_id, chat_id, msg["message_id"])
    external_id, reply_to, meta = own_id, (), {}
    if edited:
        # A new message on the timeline: the customer's original words stay as they were sent.
        external_id = f"{own_id}:edited:{msg.get('edit_date', 0)}"
        reply_to, meta = (own_id,), {"edited": True}
    if "reply_to_message" in msg:
        reply_to = (message_id(bot_id, chat_id, msg["reply_to_message"]["message_id"]), *reply_to)
    if sender.get("username"):
        meta["username"] = sender["username"]
    at = msg.get("edit_date") if edited else msg.get("date")
    return [
        InboundMessage(
            channel=Channel.TELEGRAM,
            external_id=external_id,
            sender_address=str(sender["id"]),
            sender_name=_name(sender),
            text=text,
            timestamp=datetime.fromtimestamp(at, tz=UTC) if at else None,
            reply_to_ids=reply_to,
            conversation_id=str(chat_id),
            channel_address=str(bot_id),
            team_id=team_id,
            media=media,
            meta=meta,
        )
    ]


def _name(sender: dict) -> str:
    full = " ".join(part for part in (sender.get("first_name"), sender.get("last_name")) if part)
    return full or (f"@{sender['username']}" if sender.get("username") else "")


def _content(msg: dict, bot_id: int) -> tuple[str, tuple[RemoteMedia, ...]]:
    """The text an agent reads and the files to fetch."""
    lines = [msg.get("text") or msg.get("caption") or ""]
    files: list[RemoteMedia] = []
    number = msg["message_id"]
    if msg.get("photo"):
        # Telegram sends every size it made; the last is the largest, but sizes are compared to be sure.
        photo = max(
            msg["photo"], key=lambda size: (size.get("width", 0) * size.get("height", 0), size.get("file_size", 0))
        )
        files.append(RemoteMedia(media_url(bot_id, photo["file_id"]), "image/jpeg", f"photo-{number}.jpg"))
    for kind, content_type, extension in (
        ("document", "application/octet-stream", ""),
        ("audio", "audio/mpeg", ".mp3"),
        ("video", "video/mp4", ".mp4"),
        ("voice", "audio/ogg", ".ogg"),
        ("video_note", "video/mp4", ".mp4"),
    ):
        if item := msg.get(kind):
            filename = item.get("file_name") or f"{kind.replace('_', '-')}-{number}{extension}"
            files.append(
                RemoteMedia(media_url(bot_id, item["file_id"]), item.get("mime_type") or content_type, filename)
            )
    if sticker := msg.get("sticker"):
        lines.append(f"[sticker {sticker['emoji']}]" if sticker.get("emoji") else "[sticker]")
    if venue := msg.get("venue"):
        lines.append(f"[venue {venue.get('title', '')}, {venue.get('address', '')}]")
    if (location := msg.get("location")) and not venue:
        lat, lon = location["latitude"], location["longitude"]
        lines.append(f"[location {lat}, {lon}] https://www.openstreetmap.org/?mlat={lat}&mlon={lon}")
    if contact := msg.get("contact"):
        parts = (contact.get("first_name"), contact.get("last_name"), contact.get("phone_number"))
        lines.append("[contact " + " ".join(p for p in parts if p) + "]")
    lines += [f"[{kind} (not supported here; see it in Telegram)]" for kind in _UNSUPPORTED if kind in msg]
    return "\n".join(line for line in lines if line), tuple(files)
