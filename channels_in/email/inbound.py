"""Raw RFC 5322 mail -> InboundMessage.

STUB: being replaced by the full parser (caps, time limit, charsets, quotes, auto-reply detection).
The signature below is the contract the poller, SMTP server, webhook and importer use.
"""

import email
import email.policy

from tickets.inbound import InboundMessage


class EmailParseError(Exception):
    """The mail cannot be turned into a message; the caller stores it raw (FailedInbound)."""


def parse_email(raw: bytes, *, raw_ref: str = "") -> InboundMessage:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        return InboundMessage(
            channel="email",
            external_id=str(msg["Message-ID"] or "").strip(),
            sender_address=msg["From"].addresses[0].addr_spec,
            sender_name=msg["From"].addresses[0].display_name,
            subject=str(msg["Subject"] or ""),
            text=body.get_content() if body else "",
            raw_ref=raw_ref,
        )
    except Exception as exc:
        raise EmailParseError(str(exc)) from exc
