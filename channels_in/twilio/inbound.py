"""Twilio's inbound SMS, MMS and WhatsApp webhooks -> InboundMessage.

The body is the form-encoded request Twilio signed, stored verbatim by the view
(channels_in/inbox.py) and parsed later by a worker. Two lookups are not pure: the account owning
our number gives the team, and opt-out keywords are recorded (see optout.py for why here).
"""

import mimetypes
from urllib.parse import parse_qsl

from channels_in.twilio.models import TwilioAccount
from channels_in.twilio.optout import record_keyword
from tickets.inbound import InboundMessage, RemoteMedia
from tickets.models import Channel

# Twilio attaches at most 10 media to one message.
MAX_MEDIA = 10
_MEDIA_PREFIX = {Channel.SMS: "MMS", Channel.WHATSAPP: "WhatsApp"}


def parse_sms(body: str) -> list[InboundMessage]:
    """An SMS or MMS to one of our numbers."""
    return [_parse(body, Channel.SMS)]


def parse_whatsapp(body: str) -> list[InboundMessage]:
    """A WhatsApp message to one of our WhatsApp senders ("whatsapp:+1..." addresses)."""
    return [_parse(body, Channel.WHATSAPP)]


def params_of(body: str) -> dict[str, str]:
    """The form fields of a webhook body (each Twilio field appears once)."""
    return dict(parse_qsl(body, keep_blank_values=True))


def number(address: str) -> str:
    """A Twilio address without its channel prefix: "whatsapp:+14155550100" -> "+14155550100"."""
    return address.strip().removeprefix("whatsapp:")


def _parse(body: str, channel: str) -> InboundMessage:
    params = params_of(body)
    sid, sender = params.get("MessageSid", ""), number(params.get("From", ""))
    if not sid or not sender:
        raise ValueError("The Twilio payload has no MessageSid or no From.")
    ours = number(params.get("To", ""))
    account = TwilioAccount.for_number(ours) if ours else None
    name = params.get("ProfileName", "")
    text = params.get("Body", "")
    meta: dict = {}
    if name:
        meta["profile_name"] = name
    location = _location(params)
    if location:
        meta["location"] = location
        text = text or f"Location: {location['latitude']}, {location['longitude']}"
    keyword = record_keyword(channel=channel, address=sender, text=text, name=name)
    if keyword:
        meta["keyword"] = keyword
    replied_to = params.get("OriginalRepliedMessageSid", "")
    return InboundMessage(
        channel=channel,
        external_id=sid,
        sender_address=sender,
        sender_name=name,
        text=text,
        channel_address=ours,
        team_id=account.team_id if account else None,
        acknowledge=False,
        media=_media(params, _MEDIA_PREFIX[channel]),
        meta=meta,
        reply_to_ids=(replied_to,) if replied_to else (),
    )


def _media(params: dict[str, str], prefix: str) -> tuple[RemoteMedia, ...]:
    media = []
    for index in range(MAX_MEDIA):
        url = params.get(f"MediaUrl{index}", "")
        if not url:
            break
        content_type = params.get(f"MediaContentType{index}", "")
        extension = mimetypes.guess_extension(content_type) or ""
        media.append(RemoteMedia(url=url, content_type=content_type, filename=f"{prefix}-{index + 1}{extension}"))
    return tuple(media)


def _location(params: dict[str, str]) -> dict[str, str]:
    """A shared WhatsApp location: coordinates and, for a place, its name and address."""
    if not (params.get("Latitude") and params.get("Longitude")):
        return {}
    found = {"latitude": params["Latitude"], "longitude": params["Longitude"]}
    found.update({key.lower(): params[key] for key in ("Label", "Address") if params.get(key)})
    return found
