"""Mail a robot sent: auto-replies (RFC 3834), list and bulk mail, and delivery failures.

Such mail is stored but never answered automatically, so two robots cannot write to each other
forever. A bounce is reduced to one line per failed recipient and threaded, through the bounced
message's Message-ID, onto the ticket whose reply could not be delivered.
"""

import dataclasses
import re
from collections.abc import Iterator, Mapping
from email.message import Message

AUTO_REPLY = "auto-reply"
BULK = "bulk"
BOUNCE = "bounce"

_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon"})
# Out-of-office subjects of the common clients; trusted only with X-Auto-Response-Suppress, which
# Exchange also puts on ordinary mail.
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic|matische)?[ -]?(reply|response|antwort|antwoord)|autosvar|auto:|"
    r"out of (the )?office|abwesenheit|réponse automatique|respuesta automática|fuera de la oficina|"
    r"afwezig|absence)",
    re.IGNORECASE,
)
# How a delivery report words each action after "Delivery to <recipient>".
_ACTIONS = {"failed": "failed", "delayed": "is delayed", "delivered": "succeeded", "relayed": "was relayed"}
# Non-DSN bounces (Exim, qmail) append the returned message after a line like this one.
_COPY_FOLLOWS = re.compile(
    r"^-{2,}.*(copy of the (original )?message|below this line|original message|undelivered message).*$",
    re.IGNORECASE | re.MULTILINE,
)
# A failure reply ("550 ...") or enhanced status ("5.1.1"), not a part of an IP address.
_SMTP_FAILURE = re.compile(r"(?<![\w.])([45]\d\d[ -]|[45]\.\d{1,3}\.\d{1,3}(?![\d.]))")
# Starting only after a non-address character keeps the scan of a long word linear.
_ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]++@[\w-]+(?:\.[\w-]+)+")
_MESSAGE_ID_LINE = re.compile(r"^message-id:[ \t]*(<[^<>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
# A diagnostic longer than this is cut: the summary is one line per recipient.
_MAX_DIAGNOSTIC = 300
_MAX_RECIPIENTS = 20
# The failure is explained at the top of a bounce; the rest is the returned message.
_MAX_PROSE = 20_000


@dataclasses.dataclass(frozen=True)
class Bounce:
    summary: str  # "Delivery to x@y failed: 550 5.1.1 user unknown", one line per recipient
    original_id: str  # the bounced message's Message-ID header as written, "" when not found


def classify(headers: Mapping[str, str], *, report_type: str, sender: str, subject: str) -> str:
    """BOUNCE, AUTO_REPLY, BULK or "" for mail a person wrote, from the top-level headers.

    `headers` maps lower-cased names to raw values; `report_type` is that of a multipart/report.
    """
    if report_type == "delivery-status" or sender.partition("@")[0] in _DAEMONS or "x-failed-recipients" in headers:
        return BOUNCE
    auto_submitted = headers.get("auto-submitted", "no").partition(";")[0].strip().lower()
    precedence = headers.get("precedence", "").strip().lower()
    if (
        auto_submitted != "no"
        or precedence == "auto_reply"
        or report_type == "disposition-notification"
        or "x-autoreply" in headers
        or "x-autorespond" in headers
        or ("x-auto-response-suppress" in headers and _AUTO_SUBJECT.match(subject))
    ):
        return AUTO_REPLY
    if precedence in ("bulk", "junk", "list") or "list-id" in headers or "list-unsubscribe" in headers:
        return BULK
    return ""


def read_bounce(msg: Message, text: str) -> Bounce:
    """What failed for whom, from the delivery report (RFC 3464) or else from the bounce's text."""
    lines: list[str] = []
    original = ""
    for part in _report_parts(msg):
        ctype = part.get_content_type()
        payload = part.get_payload()
        if ctype == "message/delivery-status" and isinstance(payload, list):
            lines += _report_lines(payload)
        elif ctype in ("message/rfc822", "message/global") and isinstance(payload, list) and not original:
            original = str(payload[0].get("message-id") or "")
        elif ctype in ("text/rfc822-headers", "message/global-headers") and not original:
            found = _MESSAGE_ID_LINE.search((part.get_payload(decode=True) or b"").decode("latin-1"))
            original = found[1] if found else ""
    if not original:
        found = _MESSAGE_ID_LINE.search(text)
        original = found[1] if found else ""
    return Bounce("\n".join(lines or _text_lines(msg, text)), original)


def receipt_original_id(msg: Message) -> str:
    """The Message-ID a read receipt (RFC 8098) is about, as written, so it threads onto its ticket."""
    for part in _report_parts(msg):
        payload = part.get_payload()
        if part.get_content_type() == "message/disposition-notification" and isinstance(payload, list):
            return str(payload[0].get("original-message-id") or "")
    return ""


def _report_parts(part: Message) -> Iterator[Message]:
    """The parts of the report itself, not those of the message it returns."""
    yield part
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        for child in part.get_payload():
            yield from _report_parts(child)


def _report_lines(blocks: list[Message]) -> list[str]:
    lines = []
    for block in blocks[:_MAX_RECIPIENTS]:
        recipient = _typed_value(block.get("final-recipient") or block.get("original-recipient"))
        if not recipient:
            continue  # the per-message block, or a recipient block without its address
        action = str(block.get("action") or "failed").strip().lower()
        diagnostic = _typed_value(block.get("diagnostic-code")) or str(block.get("status") or "").strip()
        lines.append(_line(recipient, _ACTIONS.get(action, action), diagnostic))
    return lines


def _text_lines(msg: Message, text: str) -> list[str]:
    """Exim- and qmail-style bounces: the address and the SMTP reply are in the prose."""
    head = _COPY_FOLLOWS.split(text[:_MAX_PROSE], maxsplit=1)[0]
    failed = str(msg.get("x-failed-recipients") or "")
    recipients = list(dict.fromkeys(match[0].lower() for match in _ADDRESS.finditer(failed or head)))
    recipients = [r for r in recipients if r.partition("@")[0] not in _DAEMONS][:_MAX_RECIPIENTS]
    diagnostic = next((line.strip() for line in head.splitlines() if _SMTP_FAILURE.search(line)), "")
    if not recipients:
        return [_line("", "failed", diagnostic)] if diagnostic else []
    return [_line(recipient, "failed", diagnostic) for recipient in recipients]


def _typed_value(value: object) -> str:
    """ "rfc822; x@y" -> "x@y", "smtp; 550 ..." -> "550 ..." (DSN fields name their type first)."""
    text = " ".join(str(value or "").split())
    return text.partition(";")[2].strip() if ";" in text else text


def _line(recipient: str, outcome: str, diagnostic: str) -> str:
    line = f"Delivery to {recipient} {outcome}" if recipient else f"Delivery {outcome}"
    diagnostic = " ".join(diagnostic.split())[:_MAX_DIAGNOSTIC]
    return f"{line}: {diagnostic}" if diagnostic else f"{line}."
