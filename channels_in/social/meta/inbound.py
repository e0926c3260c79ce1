"""Meta webhook payloads (Messenger, and Instagram through the Messenger Platform) -> InboundMessage.

One POST carries `entry[]` per page or Instagram account and `messaging[]` events in each. Customer
messages and postbacks (button taps) become messages. Skipped, and why:
- echoes (`message.is_echo`): our own sends coming back; the reply is already on the ticket;
- delivery and read receipts: Messenger reports them per conversation by watermark, not per
  message, so they cannot mark a single reply; the sender's "sent" status stands;
- reactions, unsends, opt-ins, referrals and any kind Meta adds later: nothing a ticket needs.
"""

import json
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from tickets.inbound import InboundMessage, RemoteMedia
from tickets.models.choices import Channel

# Webhook `object` -> our channel.
CHANNELS = {"page": Channel.FACEBOOK, "instagram": Channel.INSTAGRAM}
# Attachment kinds that are a file to download; others (a shared post, a story mention, a
# template) are links, kept in the text.
_MEDIA_KINDS = {"image", "video", "audio", "file"}


def parse_event(body: str) -> list[InboundMessage]:
    """The customer messages of one stored webhook body; the only query looks up the pages' teams."""
    from channels_in.social.meta.models import MetaPage

    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("The webhook body is not a JSON object.")
    entries = [e for e in data.get("entry") or () if isinstance(e, dict)]
    pages = MetaPage.for_addresses({str(e.get("id", "")) for e in entries} - {""})
    return messages_from(data, teams={address: page.team_id for address, page in pages.items()})


def messages_from(data: dict, *, teams: dict[str, int | None]) -> list[InboundMessage]:
    """Pure: the messages of a decoded webhook; `teams` maps a page or Instagram id to its team."""
    channel = CHANNELS.get(data.get("object", ""))
    if channel is None:
        return []
    found = []
    for entry in data.get("entry") or ():
        if not isinstance(entry, dict):
            continue
        ours = str(entry.get("id", ""))
        for event in entry.get("messaging") or ():
            if not isinstance(event, dict):
                continue
            msg = _message(event, channel=channel, ours=ours, team_id=teams.get(ours))
            if msg is not None:
                found.append(msg)
    return found


def _message(event: dict, *, channel: str, ours: str, team_id: int | None) -> InboundMessage | None:
    sender = str((event.get("sender") or {}).get("id", ""))
    ours = ours or str((event.get("recipient") or {}).get("id", ""))
    if not sender or sender == ours:
        return None
    common = {
        "channel": channel,
        "sender_address": sender,
        "timestamp": _time(event.get("timestamp")),
        "conversation_id": f"{ours}:{sender}",
        "channel_address": ours,
        "team_id": team_id,
    }
    if isinstance(event.get("message"), dict):
        return _text_message(event["message"], common)
    if isinstance(event.get("postback"), dict):
        postback = event["postback"]
        mid = postback.get("mid") or f"postback-{sender}-{event.get('timestamp', '')}"
        return InboundMessage(
            external_id=str(mid),
            text=str(postback.get("title") or postback.get("payload") or ""),
            meta={"postback_payload": str(postback.get("payload", ""))},
            **common,
        )
    return None


def _text_message(message: dict, common: dict) -> InboundMessage | None:
    if message.get("is_echo") or message.get("is_deleted") or not message.get("mid"):
        return None
    lines = [str(message["text"])] if message.get("text") else []
    media = []
    for index, attachment in enumerate(message.get("attachments") or (), start=1):
        if not isinstance(attachment, dict):
            continue
        kind = str(attachment.get("type", ""))
        payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
        url = str(payload.get("url") or "")
        if kind in _MEDIA_KINDS and url:
            media.append(RemoteMedia(url, filename=_filename(url, kind, index)))
        elif url or payload.get("title"):
            lines.append(" ".join(filter(None, [f"[{kind}]", str(payload.get("title") or ""), url])))
    meta = {}
    if isinstance(message.get("quick_reply"), dict):
        meta["quick_reply_payload"] = str(message["quick_reply"].get("payload", ""))
    reply_to = message.get("reply_to") if isinstance(message.get("reply_to"), dict) else {}
    if isinstance(reply_to.get("story"), dict):
        meta["story_reply"] = str(reply_to["story"].get("url", ""))
    if not lines and not media:
        return None  # e.g. an unsupported attachment: nothing an agent could read
    return InboundMessage(
        external_id=str(message["mid"]),
        text="\n".join(lines),
        media=tuple(media),
        reply_to_ids=(str(reply_to["mid"]),) if reply_to.get("mid") else (),
        meta=meta,
        **common,
    )


def _filename(url: str, kind: str, index: int) -> str:
    """The CDN file name when it has an extension (query strings carry signatures, not names)."""
    name = PurePosixPath(urlsplit(url).path).name
    return name if "." in name else f"{kind}-{index}"


def _time(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
