"""Raw RFC 5322 mail -> InboundMessage, for the poller, the SMTP server, the webhook and the importer.

Real mail is messy and some of it is hostile, so parsing runs under caps (size, parts, depth,
header size) and a wall-clock limit that works in any thread: the stdlib parser is fed in slices
and the deadline is checked between slices and between parts. Exceeding a cap raises
EmailParseError naming it, and the caller keeps the raw mail (FailedInbound).

The stdlib's compat32 policy is used: it is about 7x faster here than `email.policy.default`, and
it leaves header decoding to this module, which never raises on unknown charsets, raw 8-bit
headers or odd display names.
"""

import codecs
import dataclasses
import hashlib
import mimetypes
import re
import time
from datetime import UTC, datetime
from email.errors import MissingHeaderBodySeparatorDefect
from email.feedparser import BytesFeedParser
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses, parsedate_to_datetime
from io import BytesIO

from channels_in.email.autoreply import BOUNCE, classify, read_bounce, receipt_original_id
from channels_in.email.charsets import decode_text, storable
from channels_in.email.quotes import html_to_text, split_reply
from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models.choices import Channel

MAX_MAIL_BYTES = 25 * 1024 * 1024
MAX_PARTS = 500
MAX_DEPTH = 20
# One header field, unfolded. Generous, because long References and Cc lists are real.
MAX_HEADER_LINE = 64 * 1024
# Content-Type and Content-Disposition only: the stdlib parses their parameters in quadratic time.
MAX_MIME_HEADER_LINE = 4 * 1024
# All header fields of one part (the mail's own headers, or one MIME part's).
MAX_HEADER_BYTES = 256 * 1024
# A 25 MB mail takes well under a second; pathological structure is stopped here.
MAX_PARSE_SECONDS = 5.0

# The parser is fed in slices of this size, so the deadline is checked often enough.
_FEED_CHUNK = 64 * 1024
_MAX_REPLY_IDS = 50
_MAX_CC = 50
# Message.external_id's length; longer (or non-ASCII) ids are hashed, the same way in every mail.
_MAX_ID_LENGTH = 255
_BODY_TYPES = frozenset({"text/plain", "text/html"})
_MIME_HEADERS = frozenset({"content-type", "content-disposition"})


class EmailParseError(Exception):
    """The mail cannot be turned into a message; the caller stores it raw (FailedInbound)."""


def parse_email(raw: bytes, *, raw_ref: str = "") -> InboundMessage:
    """The message in one raw mail; EmailParseError with a reason when it cannot or may not be read."""
    if len(raw) > MAX_MAIL_BYTES:
        raise EmailParseError(
            f"The mail is {len(raw) / 2**20:.1f} MB, over the {MAX_MAIL_BYTES / 2**20:g} MB limit (MAX_MAIL_BYTES)."
        )
    try:
        return _parse(raw, raw_ref)
    except EmailParseError:
        raise
    except Exception as exc:  # the stdlib parser and codecs raise many kinds of error on hostile mail
        raise EmailParseError(f"The mail could not be read: {type(exc).__name__}: {exc}") from exc


def _parse(raw: bytes, raw_ref: str) -> InboundMessage:
    budget = _Budget()
    msg = _read(raw, budget)
    headers = _first_headers(msg)
    body = _Body()
    _collect(msg, budget, body, _BODY_TYPES, root=True)
    sender_name, sender = _sender(headers)
    subject = " ".join(_header_text(headers.get("subject")).split())
    html = "\n".join(body.html)
    text = "\n".join(body.plain)
    if not text.strip() and html:
        text = html_to_text(html, on_chunk=budget.check_time)
    thread = _message_ids(headers.get("references")) + _message_ids(headers.get("in-reply-to"))
    report_type = (
        str(msg.get_param("report-type") or "").lower() if msg.get_content_type() == "multipart/report" else ""
    )
    automatic = classify(headers, report_type=report_type, sender=sender, subject=subject)
    bounce = read_bounce(msg, text) if automatic == BOUNCE else None
    if bounce:
        thread += _message_ids(bounce.original_id)
    elif report_type == "disposition-notification":
        thread += _message_ids(receipt_original_id(msg))
    text, quoted = (bounce.summary, text) if bounce and bounce.summary else split_reply(text)
    reply_to = _addresses(headers.get("reply-to"))
    return InboundMessage(
        channel=Channel.EMAIL,
        external_id=_external_id(headers.get("message-id"), raw),
        sender_address=sender,
        sender_name=sender_name,
        subject=subject,
        ticket_hint=_ticket_number(subject),
        text=text,
        html=html,
        attachments=tuple(body.attachments),
        timestamp=_timestamp(headers.get("date")),
        reply_to_ids=tuple(dict.fromkeys(thread))[-_MAX_REPLY_IDS:],
        raw_ref=raw_ref,
        quoted_text=quoted,
        reply_address=reply_to[0][1] if reply_to and reply_to[0][1] != sender else "",
        cc_addresses=tuple(dict.fromkeys(address for _, address in _addresses(headers.get("cc"))))[:_MAX_CC],
        automatic=automatic,
    )


# --- Reading the MIME tree under the caps ---


class _Part(Message):
    """A MIME part that knows how deep it is, so that the parser stops at MAX_DEPTH while reading."""

    depth = 0

    def attach(self, payload: Message) -> None:
        payload.depth = self.depth + 1
        if payload.depth > MAX_DEPTH:
            raise EmailParseError(f"The mail nests MIME parts more than {MAX_DEPTH} deep (MAX_DEPTH).")
        super().attach(payload)


class _Budget:
    """The part count and the deadline of one parse."""

    def __init__(self) -> None:
        self.parts = 0
        self.deadline = time.monotonic() + MAX_PARSE_SECONDS

    def new_part(self, policy: Compat32) -> _Part:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise EmailParseError(f"The mail has more than {MAX_PARTS} MIME parts (MAX_PARTS).")
        return _Part(policy)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise EmailParseError(f"Reading the mail took longer than {MAX_PARSE_SECONDS:g} s (MAX_PARSE_SECONDS).")


class _Policy(Compat32):
    """compat32, but refusing oversized header fields as they are read (before any quadratic work),
    handing header values over raw (8-bit bytes as surrogates, which we decode), and writing them
    back verbatim (an attached .eml keeps its original headers)."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        if len(value) > MAX_HEADER_LINE:
            raise EmailParseError(f"A {name[:40]} header is longer than {MAX_HEADER_LINE} bytes (MAX_HEADER_LINE).")
        if len(value) > MAX_MIME_HEADER_LINE and name.strip().lower() in _MIME_HEADERS:
            raise EmailParseError(
                f"A {name} header is longer than {MAX_MIME_HEADER_LINE} bytes (MAX_MIME_HEADER_LINE)."
            )
        return name, value

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value

    def fold(self, name: str, value: str) -> str:
        lines = value.replace("\r\n", "\n").split("\n")
        return f"{name}: {self.linesep.join(lines)}{self.linesep}"

    def fold_binary(self, name: str, value: str) -> bytes:
        return self.fold(name, value).encode("utf-8", "surrogateescape")


def _read(raw: bytes, budget: _Budget) -> Message:
    msg = _feed(raw, budget)
    if any(isinstance(defect, MissingHeaderBodySeparatorDefect) for defect in msg.defects):
        repaired = _drop_junk_header_lines(raw)
        if repaired is not None:
            budget.parts = 0
            msg = _feed(repaired, budget)
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        _recover_boundary(msg, budget)
    return msg


def _feed(raw: bytes, budget: _Budget) -> Message:
    parser = BytesFeedParser(policy=_Policy(linesep="\r\n", message_factory=budget.new_part))
    for start in range(0, len(raw), _FEED_CHUNK):
        parser.feed(raw[start : start + _FEED_CHUNK])
        budget.check_time()
    return parser.close()


_HEADER_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _drop_junk_header_lines(raw: bytes) -> bytes | None:
    """The mail without header lines that have no colon but more fields after them.

    The stdlib ends the headers at such a line and reads the fields below it as body text.
    """
    end = _BLANK_LINE.search(raw)
    head = raw[: end.start()] if end else raw
    lines = head.split(b"\n")
    fields = [i for i, line in enumerate(lines) if _HEADER_FIELD.match(line)]
    if not fields:
        return None
    junk = {i for i in range(fields[-1]) if not _HEADER_FIELD.match(lines[i]) and lines[i][:1] not in (b" ", b"\t")}
    if not junk:
        return None
    return b"\n".join(line for i, line in enumerate(lines) if i not in junk) + raw[len(head) :]


_DELIMITER_LINE = re.compile(rb"^--(\S{1,70})[ \t]*\r?\n[\w-]+:", re.MULTILINE)


def _recover_boundary(msg: Message, budget: _Budget) -> None:
    """A multipart mail without a boundary parameter: split it on its first delimiter line."""
    body = msg.get_payload(decode=True) or b""
    found = _DELIMITER_LINE.search(body)
    if found:
        header = f'Content-Type: {msg.get_content_type()}; boundary="{found[1].decode("ascii", "replace")}"'
        inner = _feed(header.encode() + b"\r\n\r\n" + body, budget)
        if inner.is_multipart():
            msg.set_payload(inner.get_payload())


# --- Walking the tree: the body texts, and everything else as attachments ---


@dataclasses.dataclass
class _Body:
    plain: list[str] = dataclasses.field(default_factory=list)
    html: list[str] = dataclasses.field(default_factory=list)
    attachments: list[InboundAttachment] = dataclasses.field(default_factory=list)


def _collect(part: Message, budget: _Budget, body: _Body, accept: frozenset[str], root: bool = False) -> None:
    """Add `part` to the body (text of a type in `accept`) or to the attachments; never drop it."""
    budget.check_time()
    if sum(len(name) + len(value) for name, value in part.raw_items()) > MAX_HEADER_BYTES:
        raise EmailParseError(f"A part's headers are larger than {MAX_HEADER_BYTES} bytes (MAX_HEADER_BYTES).")
    ctype = part.get_content_type()
    if ctype.startswith("multipart/") and part.is_multipart():
        children = part.get_payload()
        if ctype == "multipart/alternative":
            # The last alternative of each kind is the sender's preferred one (RFC 2046); the
            # others are kept as attachments.
            kinds = [_body_kinds(child) for child in children]
            chosen = {kind: max((i for i, k in enumerate(kinds) if kind in k), default=-1) for kind in accept}
            for i, child in enumerate(children):
                _collect(child, budget, body, frozenset(kind for kind, j in chosen.items() if j == i))
        else:
            for child in children:
                _collect(child, budget, body, accept)
        return
    if ctype.startswith("multipart/"):
        ctype = "text/plain"  # no boundary to split it on: its body is all there is
    if ctype in accept and _is_body_text(part, root):
        (body.plain if ctype == "text/plain" else body.html).append(_part_text(part, ctype))
    else:
        body.attachments.append(_attachment(part, ctype, len(body.attachments) + 1))


def _body_kinds(part: Message) -> set[str]:
    ctype = part.get_content_type()
    if ctype.startswith("multipart/") and part.is_multipart():
        return set().union(*(_body_kinds(child) for child in part.get_payload()))
    return {ctype} if ctype in _BODY_TYPES and _is_body_text(part, root=False) else set()


def _is_body_text(part: Message, root: bool) -> bool:
    if part.get_content_disposition() == "attachment":
        return False
    # Parsing parameters is slow; only a part that mentions a (file)name can have one.
    named = "name" in (part.get("content-type") or "") + (part.get("content-disposition") or "")
    return root or not (named and part.get_filename())


def _part_text(part: Message, ctype: str) -> str:
    data = _payload_bytes(part)
    label = part.get_content_charset()
    if not label and ctype == "text/html":
        found = _META_CHARSET.search(data, 0, 4096)
        label = found[1].decode("ascii") if found else None
    return decode_text(data, label).replace("\r\n", "\n")


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset=["']?([\w.:-]{1,40})""", re.IGNORECASE)


def _payload_bytes(part: Message) -> bytes:
    """The decoded content; a transfer encoding written with stray spaces or quotes still counts."""
    stated = part.get("content-transfer-encoding")
    if stated is not None and (cte := stated.strip().strip('"').lower()) != stated.lower():
        part.replace_header("content-transfer-encoding", cte)
    return part.get_payload(decode=True) or b""


def _attachment(part: Message, ctype: str, number: int) -> InboundAttachment:
    payload = part.get_payload()
    if ctype.startswith("message/") and isinstance(payload, list):
        content = b"".join(_serialise(inner) for inner in payload)
    else:
        content = _payload_bytes(part)
    content_id = _header_text(part.get("content-id")).strip().removeprefix("<").removesuffix(">").strip()
    return InboundAttachment(
        filename=_filename(part, ctype, number), content_type=ctype, content=content, content_id=content_id
    )


def _serialise(msg: Message) -> bytes:
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False).flatten(msg)
    return out.getvalue()


# Extensions the stdlib's table lacks (or guesses differently on other systems).
_EXTENSIONS = {
    "application/ms-tnef": ".dat",
    "application/pgp-signature": ".asc",
    "application/pkcs7-signature": ".p7s",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "message/global": ".eml",
    "text/calendar": ".ics",
    "text/rfc822-headers": ".txt",
}
# Only the stdlib's built-in table, so that names do not depend on the host's /etc/mime.types.
_MIME_TYPES = mimetypes.MimeTypes()
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f:*?"<>|]')
_MAX_FILENAME = 200


def _filename(part: Message, ctype: str, number: int) -> str:
    """The sender's file name made safe, or one made up from the type (an .eml for a mail)."""
    name = _safe_filename(_header_text(part.get_filename()))
    if ctype == "message/rfc822":
        inner = part.get_payload(0) if part.is_multipart() else None
        name = name or _safe_filename(_header_text(inner.get("subject") if inner else "")) or "message"
        return name if name.lower().endswith(".eml") else f"{name}.eml"
    if name:
        return name
    if ctype == "application/ms-tnef":
        return "winmail.dat"
    stem = "image" if ctype.startswith("image/") else "attachment"
    return f"{stem}-{number}{_EXTENSIONS.get(ctype) or _MIME_TYPES.guess_extension(ctype) or '.bin'}"


def _safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_UNSAFE_IN_FILENAME.sub("_", name).split()).strip(". ")
    if len(name) > _MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: _MAX_FILENAME - len(extension) - 1]}.{extension}" if dot and len(extension) < 16 else name
    return name[:_MAX_FILENAME]


# --- Headers ---


def _first_headers(msg: Message) -> dict[str, str]:
    """Raw value of the first field of each name (one pass; `get` scans all fields every time)."""
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.strip().lower(), value)
    return headers


_BASE64 = re.compile(rb"[A-Za-z0-9+/]*=*")
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")


def _header_text(value: str | None) -> str:
    """Header text for people: raw 8-bit bytes and RFC 2047 encoded words decoded, never raising."""
    if not value:
        return ""
    if not value.isascii():  # raw 8-bit bytes, carried as surrogates
        value = decode_text(value.encode("utf-8", "surrogateescape"), "utf-8")
    return storable(_decode_words(value) if "=?" in value else value)


def _decode_words(value: str) -> str:
    """Decode RFC 2047 words, dropping the space between two of them. Adjacent words in one charset
    are decoded together, because senders split a multi-byte character across two words."""
    out: list[str] = []
    run, run_charset = b"", ""  # encoded words read but not decoded yet
    after_word = False
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[position : match.start()]
        position = match.end()
        data = _word_bytes(match[3], match[4])
        charset = match[1].lower()
        if run and (gap.strip() or data is None or charset != run_charset):
            out.append(decode_text(run, run_charset))
            run = b""
        if gap and not (after_word and data is not None and gap.isspace()):
            out.append(gap)
        if data is None:
            out.append(match[0])
        else:
            run, run_charset = run + data, charset
        after_word = data is not None
    if run:
        out.append(decode_text(run, run_charset))
    out.append(value[position:])
    return "".join(out)


def _word_bytes(encoding: str, text: str) -> bytes | None:
    data = text.encode("ascii", "replace")
    if encoding in "qQ":
        return codecs.decode(data.replace(b"_", b" "), "quopri")
    if not _BASE64.fullmatch(data):
        return None  # not base64 at all: the word is kept as written
    try:
        return codecs.decode(data + b"=" * (-len(data) % 4), "base64")
    except ValueError:  # binascii.Error: a length no padding can fix
        return None


# getaddresses() recurses once per nested comment "(", so a hostile header could exhaust the stack.
_MAX_COMMENTS = 20
# An addr-spec starts only after a delimiter, so that a long run of letters is scanned once, not
# once per letter (which would be quadratic).
_ADDR_SPEC = re.compile(r"(?<![^\s<>(),;:\"\[\]@])[^\s<>(),;:\"\[\]@]++@[^\s<>(),;:\"\[\]@]++")
# "addr", "Name <addr>" or "\"Name\" <addr>": no comments, groups, escapes or second address.
_SIMPLE_ADDRESS = re.compile(
    rf'\s*(?:(?:"([^"\\]*)"|([^"<>,;:@()\\]*?))\s*<({_ADDR_SPEC.pattern})>|({_ADDR_SPEC.pattern}))\s*'
)
# Longer values skip the fast path: its lazy name match backtracks over long runs of spaces.
_MAX_SIMPLE_ADDRESS = 1000


def _addresses(value: str | None) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs of an address header; entries without an @ are skipped."""
    if not value:
        return []
    simple = _SIMPLE_ADDRESS.fullmatch(value) if len(value) <= _MAX_SIMPLE_ADDRESS else None
    if simple:  # most headers: one address, perhaps with a name; getaddresses() is slow
        name, address = simple[1] or simple[2] or "", simple[3] or simple[4]
        return [(" ".join(_header_text(name).split()), _header_text(address).lower())]
    if value.count("(") > _MAX_COMMENTS:
        pairs = [("", match[0]) for match in _ADDR_SPEC.finditer(value)]
    else:
        pairs = getaddresses([value])
    found = []
    for name, address in pairs:
        address = _header_text(address).strip().lower()
        if _ADDR_SPEC.fullmatch(address):
            found.append((" ".join(_header_text(name).split()), address))
    return found


def _sender(headers: dict[str, str]) -> tuple[str, str]:
    for field in ("from", "sender", "return-path"):
        found = _addresses(headers.get(field))
        if found:
            return found[0]
    raise EmailParseError("The mail has no sender address: From, Sender and Return-Path are missing or empty.")


_MESSAGE_ID = re.compile(r"<([^<>]+)>")


def _message_ids(value: str | None) -> list[str]:
    """The <id>s of a Message-ID, In-Reply-To or References header, in order."""
    if not value:
        return []
    return [_normalise_id(match[1]) for match in _MESSAGE_ID.finditer(value) if match[1].strip()]


def _normalise_id(inner: str) -> str:
    ident = "<" + "".join(inner.split()) + ">"
    if len(ident) > _MAX_ID_LENGTH or not ident.isascii():
        digest = hashlib.sha256(ident.encode("utf-8", "surrogateescape")).hexdigest()
        return f"<{digest}@helpdesk.invalid>"
    return ident


def _external_id(value: str | None, raw: bytes) -> str:
    """The Message-ID, or one derived from the raw bytes, so that importing a mail twice dedupes."""
    ids = _message_ids(value)
    if ids:
        return ids[0]
    bare = (value or "").strip()
    if bare and len(bare.split()) == 1:
        return _normalise_id(bare)
    return f"<{hashlib.sha256(raw).hexdigest()}@helpdesk.invalid>"


_TICKET_NUMBER = re.compile(r"\[#(\d{1,9})\]")


def _ticket_number(subject: str) -> int | None:
    """The "[#1234]" our replies put in the subject (ingest trusts it only from the ticket's people)."""
    found = _TICKET_NUMBER.search(subject)
    return int(found[1]) if found else None


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:  # "-0000": the sender's zone is unknown, the time is UTC
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
