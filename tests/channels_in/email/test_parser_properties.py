"""Properties of parse_email on generated mail: it never raises anything but EmailParseError, and it
never loses the body text or an attachment, whatever the charsets, encodings and MIME tree."""

import base64
import contextlib
import dataclasses
import html
import itertools
import quopri
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels_in.email.inbound import EmailParseError, parse_email
from channels_in.email.quotes import html_to_text, split_reply
from tickets.inbound import InboundMessage

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.eml"))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Labels a sender may write, with the codec that really encodes the bytes (None: a bogus label on
# UTF-8 bytes). Text a charset cannot encode is sent as UTF-8 instead, as a client would.
CHARSETS = {
    "utf-8": "utf-8",
    "UTF8": "utf-8",
    "us-ascii": "ascii",
    "iso-8859-1": "latin-1",
    "windows-1252": "cp1252",
    "koi8-r": "koi8-r",
    "shift_jis": "shift_jis",
    "gb2312": "gb2312",
    "x-no-such-charset": None,
}
# No control characters (C0/C1) and no lone surrogates: no real mail text has them.
LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
# Lines the reply splitter acts on, so that bodies also have quoted history and signatures.
REPLY_LINES = ["> quoted", "", "-- ", "On Mon, 3 Feb 2025 at 10:12, A <a@example.com> wrote:", "Sent from my iPhone"]
TEXT = st.lists(LINE | st.sampled_from(REPLY_LINES), max_size=8).map("\n".join)


def squash(text: str) -> str:
    return "".join(text.split())


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def encode_in(text: str, label: str) -> tuple[str, bytes]:
    """(label, bytes): `text` in the labelled charset, or in UTF-8 when it has no such characters."""
    codec = CHARSETS[label]
    try:
        data = text.encode(codec or "utf-8")
        if data.decode(codec or "utf-8") == text:
            return label, data
    except UnicodeError:
        pass
    return "utf-8", text.encode()


@dataclasses.dataclass(frozen=True)
class TextPart:
    text: str
    subtype: str  # "plain" or "html"
    label: str
    transfer: str

    @property
    def content(self) -> str:
        return self.text if self.subtype == "plain" else f"<p>{html.escape(self.text)}</p>"

    def render(self, boundaries: itertools.count) -> bytes:
        label, data = encode_in(self.content, self.label)
        if self.transfer == "base64":
            body = base64.encodebytes(data)
        elif self.transfer == "quoted-printable":
            body = quopri.encodestring(data)
        else:
            body = data
        headers = f"Content-Type: text/{self.subtype}; charset={label}\nContent-Transfer-Encoding: {self.transfer}\n"
        return crlf(headers.encode() + b"\n" + body + b"\n")

    def check(self, msg: InboundMessage) -> None:
        label, data = encode_in(self.content, self.label)
        written = squash(msg.text) + squash(msg.quoted_text)
        in_body = squash(self.text) in written if self.subtype == "plain" else self.content in msg.html
        assert in_body or any(normalised(a.content) == normalised(data) for a in msg.attachments)


def normalised(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").rstrip(b"\n")


@dataclasses.dataclass(frozen=True)
class FilePart:
    content: bytes
    content_type: str
    filename: str | None
    naming: str  # how the file name is written: "plain", "rfc2231" or "rfc2047"

    def render(self, boundaries: itertools.count) -> bytes:
        disposition = "attachment"
        if self.filename is not None and self.naming == "rfc2231":
            disposition += f"; filename*=utf-8''{quote(self.filename)}"
        elif self.filename is not None and self.naming == "rfc2047":
            disposition += f'; filename="=?utf-8?B?{base64.b64encode(self.filename.encode()).decode()}?="'
        elif self.filename is not None:
            disposition += f'; filename="{self.filename}"'
        headers = f"Content-Type: {self.content_type}\nContent-Disposition: {disposition}\n"
        headers += "Content-Transfer-Encoding: base64\n\n"
        return crlf(headers.encode("utf-8") + base64.encodebytes(self.content))

    def check(self, msg: InboundMessage) -> None:
        assert self.content in [a.content for a in msg.attachments]
        assert all(a.filename for a in msg.attachments)


@dataclasses.dataclass(frozen=True)
class ForwardedMail:
    text: str

    def render(self, boundaries: itertools.count) -> bytes:
        inner = f"From: a@example.org\nSubject: inner\nContent-Type: text/plain; charset=utf-8\n\n{self.text}\n"
        return crlf(b"Content-Type: message/rfc822\n\n" + inner.encode())

    def check(self, msg: InboundMessage) -> None:
        body = crlf(self.text.encode()).rstrip(b"\r\n")
        assert any(body in a.content for a in msg.attachments if a.content_type == "message/rfc822")


@dataclasses.dataclass(frozen=True)
class Multipart:
    subtype: str
    children: tuple

    def render(self, boundaries: itertools.count) -> bytes:
        boundary = f"=_hypothesis_{next(boundaries)}_boundary"
        out = f'Content-Type: multipart/{self.subtype}; boundary="{boundary}"\r\n\r\n'.encode()
        for child in self.children:
            out += f"--{boundary}\r\n".encode() + child.render(boundaries)
        return out + f"--{boundary}--\r\n".encode()

    def check(self, msg: InboundMessage) -> None:
        for child in self.children:
            child.check(msg)


text_parts = st.builds(
    TextPart,
    TEXT,
    st.sampled_from(["plain", "html"]),
    st.sampled_from(sorted(CHARSETS)),
    st.sampled_from(["base64", "quoted-printable", "8bit"]),
)
file_parts = st.builds(
    FilePart,
    st.binary(max_size=300),
    st.sampled_from(["application/pdf", "image/png", "application/octet-stream", "text/calendar", "application/zip"]),
    st.none() | st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\'), max_size=40),
    st.sampled_from(["plain", "rfc2231", "rfc2047"]),
)
leaves = text_parts | file_parts | st.builds(ForwardedMail, TEXT)
trees = st.recursive(
    leaves,
    lambda children: st.builds(
        Multipart,
        st.sampled_from(["mixed", "alternative", "related", "signed"]),
        st.lists(children, min_size=1, max_size=4).map(tuple),
    ),
    max_leaves=8,
)


@st.composite
def encoded_words(draw, text_strategy=LINE) -> tuple[str, str]:
    """(header value, what a reader should see): `text` as RFC 2047 words, sometimes split mid-character."""
    text = draw(text_strategy)
    label, data = encode_in(text, draw(st.sampled_from(sorted(CHARSETS))))
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=2)))
    chunks = [data[a:b] for a, b in itertools.pairwise([0, *cuts, len(data)]) if data[a:b]] or [b""]
    if draw(st.booleans()):
        words = [f"=?{label}?B?{base64.b64encode(chunk).decode()}?=" for chunk in chunks]
    else:
        words = [f"=?{label}?Q?{''.join(q_char(byte) for byte in chunk)}?=" for chunk in chunks]
    return draw(st.sampled_from([" ", "\r\n ", ""])).join(words), " ".join(text.split())


def q_char(byte: int) -> str:
    return chr(byte) if chr(byte).isascii() and chr(byte).isalnum() else f"={byte:02X}"


@st.composite
def mails(draw) -> tuple[bytes, Multipart | TextPart | FilePart | ForwardedMail, str, str]:
    tree = draw(trees)
    subject, expected_subject = draw(encoded_words())
    if draw(st.booleans()):  # raw 8-bit UTF-8 subject, as some mailers send it
        raw_subject = draw(LINE.filter(lambda line: "=?" not in line))
        subject, expected_subject = raw_subject, " ".join(raw_subject.split())
    name, expected_name = draw(encoded_words())
    date = draw(st.sampled_from(["Mon, 3 Feb 2025 10:12:00 +0100", "3 Feb 2025 10:12 -0000", "yesterday", ""]))
    headers = (
        f"From: {name} <sender@example.com>\r\nTo: support@helpdesk.example\r\nSubject: {subject}\r\n"
        f"Date: {date}\r\nMIME-Version: 1.0\r\n"
    )
    if draw(st.booleans()):
        headers += f"Message-ID: <{draw(st.uuids())}@example.com>\r\n"
    raw = headers.encode() + tree.render(itertools.count())
    return raw, tree, expected_subject, expected_name


@PROPERTY
@given(mails())
def test_generated_mail_keeps_every_text_and_attachment(mail):
    raw, tree, subject, name = mail

    msg = parse_email(raw)

    assert (msg.sender_address, msg.sender_name, msg.subject) == ("sender@example.com", name, subject)
    assert msg.external_id
    tree.check(msg)


@PROPERTY
@given(TEXT, st.sampled_from(sorted(CHARSETS)), st.sampled_from(["base64", "quoted-printable", "8bit"]))
def test_an_html_only_mail_gets_all_of_its_text(text, label, transfer):
    part = TextPart(text, "html", label, transfer)

    msg = parse_email(b"From: a@example.com\r\n" + part.render(itertools.count()))

    assert squash(msg.text) + squash(msg.quoted_text) == squash(text)


@PROPERTY
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_raise_nothing_but_parse_errors(data):
    with contextlib.suppress(EmailParseError):
        parse_email(data)


@PROPERTY
@given(
    st.sampled_from(FIXTURES),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40), st.binary(max_size=12)), min_size=1, max_size=6),
)
def test_damaged_real_mail_raises_nothing_but_parse_errors(path, damage):
    raw = path.read_bytes()
    for where, cut, insert in damage:
        at = int(where * len(raw))
        raw = raw[:at] + insert + raw[at + cut :]
    with contextlib.suppress(EmailParseError):
        parse_email(raw)


@PROPERTY
@given(st.lists(st.sampled_from([*REPLY_LINES, "From: x", "Sent: y", "To: z", "-----Original Message-----"]) | LINE))
def test_the_reply_splitter_never_loses_text(lines):
    text = "\n".join(lines)

    new, quoted = split_reply(text)

    assert squash(new) + squash(quoted) == squash(text)
    assert new or not text.strip()


MARKUP = ["<p>", "</p>", "<br/>", "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<script>", "</style>"]
MARKUP += ["&amp;", "&#", "&#x110000;", "<!--", "-->", "<!DOCTYPE", "<![CDATA[", "<a href='", "'>", "</", "<", ">"]


@PROPERTY
@given(st.lists(st.sampled_from(MARKUP) | st.text(max_size=20), max_size=40).map("".join))
def test_html_to_text_accepts_any_markup(markup):
    assert isinstance(html_to_text(markup), str)
