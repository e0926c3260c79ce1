"""The normalised form of every inbound message, whatever channel it came from (no ORM here)."""

import base64
import dataclasses
import json
from datetime import datetime

from customers.models import IdentityKind
from tickets.models.choices import Channel

# Which kind of address a channel's sender has; channels sharing a kind share customers.
IDENTITY_KIND = {
    Channel.EMAIL: IdentityKind.EMAIL,
    Channel.WEBFORM: IdentityKind.EMAIL,
    Channel.API: IdentityKind.EMAIL,
    Channel.SMS: IdentityKind.PHONE,
    Channel.WHATSAPP: IdentityKind.PHONE,
    Channel.PHONE: IdentityKind.PHONE,
    Channel.X: IdentityKind.X,
    Channel.FACEBOOK: IdentityKind.FACEBOOK,
    Channel.INSTAGRAM: IdentityKind.INSTAGRAM,
    Channel.TELEGRAM: IdentityKind.TELEGRAM,
    Channel.CHAT: IdentityKind.CHAT_VISITOR,
}

# Channels where a new message without thread hints still continues the customer's open ticket
# (nobody starts a fresh SMS "thread"); e-mail and forms start a new ticket unless they reply.
CONVERSATIONAL = {
    Channel.SMS,
    Channel.WHATSAPP,
    Channel.PHONE,
    Channel.X,
    Channel.FACEBOOK,
    Channel.INSTAGRAM,
    Channel.TELEGRAM,
}


@dataclasses.dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes
    # The size the sender declared, for a file over the limit whose content was not read.
    declared_size: int = 0
    # An inline part (e-mail `cid:` image) that the HTML body refers to by this id, without <>.
    content_id: str = ""

    @property
    def size(self) -> int:
        return max(self.declared_size, len(self.content))


@dataclasses.dataclass(frozen=True)
class RemoteMedia:
    """A file the provider holds (MMS image, voicemail recording): fetched after the message is stored,
    by the channel's media fetcher (channels_in.registry), so a slow download never delays ingest."""

    url: str
    content_type: str = ""
    filename: str = ""


@dataclasses.dataclass(frozen=True)
class InboundMessage:
    channel: str
    external_id: str
    sender_address: str
    sender_name: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    timestamp: datetime | None = None
    # Thread hints: provider ids this message answers (e-mail In-Reply-To/References) and a
    # conversation id (chat session, X conversation, ...).
    reply_to_ids: tuple[str, ...] = ()
    conversation_id: str = ""
    # Where the raw provider payload is kept, if the channel stores it (e.g. an .eml path).
    raw_ref: str = ""
    # Quoted history and signature split off `text`: the timeline shows `text`, this is one click away.
    quoted_text: str = ""
    # Where replies go when it differs from the sender (e-mail Reply-To).
    reply_address: str = ""
    # Other people on the conversation (e-mail Cc): they become followers of the ticket.
    cc_addresses: tuple[str, ...] = ()
    # A ticket number the sender quoted (e-mail subject "[#1234]"): trusted only when the sender
    # is already on that ticket, so nobody can write into another customer's ticket by guessing.
    ticket_hint: int | None = None
    # Our own address it arrived on (the mailbox, phone number or page): replies leave from it.
    channel_address: str = ""
    # The team a new ticket goes to (the mailbox or number it arrived on feeds that team).
    team_id: int | None = None
    # The transport asks for the acknowledgement auto-reply if this message opens a ticket
    # (a live mailbox that has it on; never an import of old mail).
    acknowledge: bool = False
    # Imported history: stored like any message, but agents are not notified of each one.
    quiet: bool = False
    # Files to fetch from the provider once the message is stored.
    media: tuple[RemoteMedia, ...] = ()
    # Channel details worth keeping on the message (a public post rather than a DM, a call's menu
    # choices, the WhatsApp profile name): shown on the timeline, never used for threading.
    meta: dict = dataclasses.field(default_factory=dict)
    # Set for machine-sent mail: "auto-reply", "bulk" or "bounce". Such messages are stored but
    # never answered automatically (RFC 3834), so two robots cannot talk to each other forever.
    automatic: str = ""

    def to_json(self) -> str:
        """Serialise (attachments base64) so that a failed message can be stored and retried."""
        data = dataclasses.asdict(self)
        data["timestamp"] = self.timestamp.isoformat() if self.timestamp else None
        data["attachments"] = [{**a, "content": base64.b64encode(a["content"]).decode()} for a in data["attachments"]]
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> "InboundMessage":
        data = json.loads(raw)
        data["timestamp"] = datetime.fromisoformat(data["timestamp"]) if data.get("timestamp") else None
        data["attachments"] = tuple(
            InboundAttachment(
                a["filename"],
                a["content_type"],
                base64.b64decode(a["content"]),
                a.get("declared_size", 0),
                a.get("content_id", ""),
            )
            for a in data.get("attachments", ())
        )
        data["reply_to_ids"] = tuple(data.get("reply_to_ids", ()))
        data["cc_addresses"] = tuple(data.get("cc_addresses", ()))
        data["media"] = tuple(RemoteMedia(**m) for m in data.get("media", ()))
        return cls(**data)
