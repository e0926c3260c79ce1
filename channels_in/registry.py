"""Channel kind -> outbound sender, imported lazily so tickets never imports a provider module."""

from django.utils.module_loading import import_string

from channels_in.base import OutboundSender, SendError
from tickets.models.choices import Channel

_SENDERS = {
    Channel.EMAIL: "channels_in.email.outbound.EmailSender",
    Channel.SMS: "channels_in.twilio.outbound.SmsSender",
    Channel.WHATSAPP: "channels_in.twilio.outbound.WhatsAppSender",
    Channel.TELEGRAM: "channels_in.telegram.outbound.TelegramSender",
    Channel.FACEBOOK: "channels_in.social.meta.outbound.MessengerSender",
    Channel.INSTAGRAM: "channels_in.social.meta.outbound.InstagramSender",
    Channel.X: "channels_in.social.x.outbound.XSender",
    Channel.CHAT: "channels_in.chat.outbound.ChatSender",
}

# Webhook payloads stored by channels_in.inbox -> `parse(body: str) -> list[InboundMessage]`.
_PARSERS = {
    Channel.SMS: "channels_in.twilio.inbound.parse_sms",
    Channel.WHATSAPP: "channels_in.twilio.inbound.parse_whatsapp",
    Channel.PHONE: "channels_in.phone.inbound.parse_call",
    Channel.TELEGRAM: "channels_in.telegram.inbound.parse_update",
    Channel.FACEBOOK: "channels_in.social.meta.inbound.parse_event",
    Channel.INSTAGRAM: "channels_in.social.meta.inbound.parse_event",
}

# `fetch(media: RemoteMedia) -> (bytes, content type)`, raising SendError(permanent=...) on failure.
_MEDIA_FETCHERS = {
    Channel.SMS: "channels_in.twilio.media.fetch",
    Channel.WHATSAPP: "channels_in.twilio.media.fetch",
    Channel.PHONE: "channels_in.twilio.media.fetch",
    Channel.TELEGRAM: "channels_in.telegram.media.fetch",
    Channel.FACEBOOK: "channels_in.social.meta.media.fetch",
    Channel.INSTAGRAM: "channels_in.social.meta.media.fetch",
    Channel.X: "channels_in.social.x.media.fetch",
}

# Channels that cannot carry a written reply themselves: a web-form or API ticket is answered by
# e-mail, a phone ticket by SMS.
_REPLY_CHANNEL = {
    Channel.WEBFORM: Channel.EMAIL,
    Channel.API: Channel.EMAIL,
    # A caller is answered by text message on the number they called from (or a call-back).
    Channel.PHONE: Channel.SMS,
}


# Raw payloads a channel stores when it cannot parse them (FailedInbound.payload_format), and the
# function that parses and ingests one again for the admin's retry.
_RETRIERS = {
    "rfc822-latin1": "channels_in.email.store.retry_failed_mail",
    "rfc822-base64": "channels_in.email.store.retry_failed_mail",
    "webhook-payload": "channels_in.inbox.retry_failed_payload",
}


def retrier_for(payload_format: str):
    """The retry function for a stored raw payload; ValueError if no channel can parse it."""
    path = _RETRIERS.get(payload_format)
    if path is None:
        raise ValueError(f"No parser for stored {payload_format!r} payloads.")
    return import_string(path)


def reply_channel(ticket_channel: str) -> str:
    """The channel an agent's reply on a ticket from `ticket_channel` goes out on."""
    return _REPLY_CHANNEL.get(ticket_channel, ticket_channel)


def can_send(channel: str) -> bool:
    """Whether the helpdesk can write on this channel itself (so an agent may start a conversation)."""
    return channel in _SENDERS


def sender_for(channel: str) -> OutboundSender:
    path = _SENDERS.get(channel)
    if path is None:
        raise SendError(f"Sending on {channel} is not configured on this helpdesk.", permanent=True)
    return import_string(path)()


def parser_for(channel: str):
    """The parser of a webhook channel's stored payloads."""
    path = _PARSERS.get(channel)
    if path is None:
        raise ValueError(f"No webhook parser for the {channel} channel.")
    return import_string(path)


def media_fetcher_for(channel: str):
    path = _MEDIA_FETCHERS.get(channel)
    if path is None:
        raise SendError(f"The {channel} channel has no media to fetch.", permanent=True)
    return import_string(path)
