"""A visitor's chat message -> InboundMessage (pure, no ORM)."""

import re

from django.core.exceptions import ValidationError

from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models import Channel

MAX_TEXT = 5000
# The widget's message ids (docs/chat-protocol.md): it makes them, so they are checked, not trusted.
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def external_id(visitor: str, client_id: str) -> str:
    """The dedupe key: the visitor's own message id, so a resend after a lost ack is one message."""
    if not isinstance(client_id, str) or not _CLIENT_ID_RE.match(client_id):
        raise ValidationError("A message needs an id of 1 to 64 letters, digits or _.:-")
    return f"{visitor}:{client_id}"


def visitor_name(visitor: str) -> str:
    """How an anonymous visitor is called until they give their name."""
    return f"Visitor {visitor.removeprefix('v_')[:6]}"


def to_inbound(
    *,
    visitor: str,
    client_id: str,
    text: str,
    session_id: int,
    site_key: str,
    team_id: int,
    attachments: tuple[InboundAttachment, ...] = (),
) -> InboundMessage:
    """Raises ValidationError (shown to the visitor as an `invalid` error) for a message we cannot take."""
    if not isinstance(text, str):
        raise ValidationError("The text must be a string.")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Messages are at most {MAX_TEXT} characters.")
    if not text and not attachments:
        raise ValidationError("The message is empty.")
    return InboundMessage(
        channel=Channel.CHAT,
        external_id=external_id(visitor, client_id),
        sender_address=visitor,
        sender_name=visitor_name(visitor),
        text=text,
        attachments=attachments,
        conversation_id=str(session_id),
        channel_address=site_key,
        team_id=team_id,
    )
