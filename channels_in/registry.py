"""Channel kind -> outbound sender, imported lazily so tickets never imports a provider module."""

from django.utils.module_loading import import_string

from channels_in.base import OutboundSender, SendError
from tickets.models.choices import Channel

_SENDERS = {
    Channel.EMAIL: "channels_in.email.outbound.EmailSender",
}

# Channels that cannot carry a reply themselves: a web-form or API ticket is answered by e-mail.
_REPLY_CHANNEL = {
    Channel.WEBFORM: Channel.EMAIL,
    Channel.API: Channel.EMAIL,
}


# Raw payloads a channel stores when it cannot parse them (FailedInbound.payload_format), and the
# function that parses and ingests one again for the admin's retry.
_RETRIERS = {
    "rfc822-latin1": "channels_in.email.store.retry_failed_mail",
    "rfc822-base64": "channels_in.email.store.retry_failed_mail",
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


def sender_for(channel: str) -> OutboundSender:
    path = _SENDERS.get(channel)
    if path is None:
        raise SendError(f"Sending on {channel} is not configured on this helpdesk.", permanent=True)
    return import_string(path)()
