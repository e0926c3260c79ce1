"""Raw mails per second through `manage.py ingest_email` (parse + ingest), one process, on PostgreSQL.

Writes a Maildir of --n realistic mails to a temporary folder: 60% new conversations, 40% replies
(In-Reply-To/References) to earlier mails of the set, half of them to one of the last few mails so
that the original is in the same import batch; a third multipart/alternative with HTML and quoted
history, 10% with a small attachment, some in ISO-8859-1, Windows-1252 or KOI8-R. Then imports it
(timed), checks that every reply threaded, and imports it again (all duplicates).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/email_ingest.py --n 5000
"""

import argparse
import base64
import html
import io
import quopri
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from _setup import django_on_fresh_database

TARGET = 550  # messages per second

FIRST = ["Maria", "James", "Aiko", "Lars", "Fatima", "Noah", "Chloe", "Mateo", "Priya", "Olga", "Kwame", "Sofia"]
TOPICS = [
    ("Order {n} has not arrived", "I ordered two weeks ago and the tracking has not moved since Monday."),
    ("Refund for a double charge", "My card was charged twice for the same invoice. Can you refund one?"),
    ("Cannot log in to my account", "The password reset e-mail never arrives. I checked the spam folder."),
    ("Invoice {n} is missing VAT", "Our accountant needs the VAT number on the invoice. Could you reissue it?"),
    ("The app crashes on start", "Since the last update the app closes right after the splash screen."),
]
# (charset, subject, body) of mails written in another charset than UTF-8.
FOREIGN = [
    ("iso-8859-1", "Commande {n} non reçue", "Bonjour, je n'ai pas reçu ma commande. Où en est la livraison ?"),
    ("windows-1252", "Rückerstattung für Auftrag {n}", "Guten Tag, bitte erstatten Sie den doppelten Betrag – danke!"),
    ("koi8-r", "Заказ {n} не пришёл", "Здравствуйте, мой заказ до сих пор не доставлен."),
]
ATTACHMENT = base64.encodebytes(bytes(range(256)) * 12).decode()  # a 3 KB "screenshot"
FILLER = (
    "I have already restarted everything and checked the settings twice, as your help centre suggests.\n"
    "It worked fine until last week; nothing changed on our side as far as I know.\n"
    "Could you please look into it? It is quite urgent for us."
)
SIGNATURE = "Example Ltd. | 12 Sample Street | 1000 Brussels\nPhone +32 2 555 01 00 | www.example.com"


def header_word(text: str, charset: str) -> str:
    """An RFC 2047 encoded word, as mail clients write non-ASCII subjects and names."""
    if text.isascii():
        return text
    return f"=?{charset}?b?{base64.b64encode(text.encode(charset)).decode()}?="


def text_part(content_type: str, text: str, charset: str, rng: random.Random) -> str:
    """A body part in one of the transfer encodings mail clients use."""
    data = text.replace("\n", "\r\n").encode(charset)
    encoding = rng.choice(["quoted-printable", "base64"] if charset != "utf-8" else ["8bit", "quoted-printable"])
    if encoding == "base64":
        payload = base64.encodebytes(data).decode().replace("\n", "\r\n")
    elif encoding == "quoted-printable":
        payload = quopri.encodestring(data).decode().replace("\n", "\r\n")
    else:
        payload = data.decode(charset)
    return f"Content-Type: {content_type}; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{payload}"


def build_mail(i: int, rng: random.Random, sent: list[tuple[str, str, str, list[str], str]], at: datetime):
    """One raw mail; returns (bytes, is_new_conversation). `sent`: earlier (id, sender, subject, refs, text)."""
    message_id = f"<{i}.{rng.getrandbits(40):x}@mail.example.com>"
    replying = bool(sent) and rng.random() < 0.40
    charset = "utf-8"
    if replying:
        # Half answer a recent mail (same import batch), half anything earlier.
        pool = sent[-20:] if rng.random() < 0.5 else sent
        parent_id, sender, subject, refs, parent_text = rng.choice(pool)
        references = [*refs[-9:], parent_id]
        subject = subject if subject.startswith("Re: ") else f"Re: {subject}"
        history = "\n".join(f"> {line}" for line in parent_text.splitlines())
        text = (
            "Thanks for your quick answer. I tried what you suggested, but the problem is still there.\n"
            "What else can I try? I can send more details if that helps.\n\n"
            f"On {format_datetime(at - timedelta(hours=2))}, Support <support@helpdesk.test> wrote:\n{history}"
        )
    else:
        person = rng.randrange(max(1, i // 2 + 1))
        sender = f"{rng.choice(FIRST)} {person} <customer{person}@example.com>"
        references = []
        subject, problem = rng.choice(TOPICS)
        if rng.random() < 0.10:
            charset, subject, problem = rng.choice(FOREIGN)
        subject = subject.format(n=10_000 + i)
        text = f"Hello,\n\n{problem}\n\n{FILLER}\n\nBest regards\n{sender.split('<')[0].strip()}\n-- \n{SIGNATURE}"
    sent.append((message_id, sender, subject, references, text))

    address = sender.split("<")[1].rstrip(">")
    head = [
        f"Return-Path: <{address}>",
        f"Received: from mail.example.com (mail.example.com [203.0.113.{i % 250}])\r\n"
        f"\tby mx.helpdesk.test (Postfix) with ESMTPS id {i:08X}\r\n"
        f"\tfor <support@helpdesk.test>; {format_datetime(at)}",
        f"Received: by mail.example.com with SMTP id {rng.getrandbits(64):x}; {format_datetime(at)}",
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; t={int(at.timestamp())};\r\n"
        "\th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
        f"\tb={base64.b64encode(rng.randbytes(128)).decode()}",
        f"From: {header_word(sender.split('<')[0].strip(), charset)} <{address}>",
        "To: Support <support@helpdesk.test>",
        f"Subject: {header_word(subject, charset)}",
        f"Date: {format_datetime(at)}",
        f"Message-ID: {message_id}",
    ]
    if references:
        head += [f"In-Reply-To: {references[-1]}", "References: " + "\r\n ".join(references)]
    head += ["MIME-Version: 1.0", "X-Mailer: Mailclient 5.2"]
    body = text_part("text/plain", text, charset, rng)
    if rng.random() < 0.33:
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if not p.startswith(">"))
        quoted = "<br>".join(html.escape(line[2:]) for line in text.splitlines() if line.startswith("> "))
        markup = (
            "<html><head><style>p { font-family: Arial; }</style></head><body>"
            f"<div dir='ltr'>{paragraphs}</div>"
            f"<blockquote type='cite' style='margin:0 0 0 .8ex;border-left:1px solid #ccc'>{quoted}</blockquote>"
            "</body></html>"
        )
        body = (
            f'Content-Type: multipart/alternative; boundary="alt-{i}"\r\n\r\n'
            f"--alt-{i}\r\n{body}\r\n--alt-{i}\r\n{text_part('text/html', markup, charset, rng)}\r\n--alt-{i}--\r\n"
        )
    if rng.random() < 0.10:
        attachment = (
            'Content-Type: image/png; name="screenshot.png"\r\n'
            'Content-Disposition: attachment; filename="screenshot.png"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n" + ATTACHMENT.replace("\n", "\r\n")
        )
        body = (
            f'Content-Type: multipart/mixed; boundary="mix-{i}"\r\n\r\n'
            f"--mix-{i}\r\n{body}\r\n--mix-{i}\r\n{attachment}\r\n--mix-{i}--\r\n"
        )
    return ("\r\n".join(head) + "\r\n" + body).encode(charset), not replying


def write_maildir(folder: Path, n: int, seed: int) -> int:
    """Deliver n mails into a Maildir as an MDA would name them; returns the new conversations."""
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    rng = random.Random(seed)
    sent: list = []
    start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    conversations = 0
    for i in range(n):
        at = start + timedelta(seconds=37 * i)
        raw, new = build_mail(i, rng, sent, at)
        conversations += new
        (folder / "new" / f"{int(at.timestamp())}.M{i}P4242Q{i}.mx.helpdesk.test").write_bytes(raw)
    return conversations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=200, help="mails per ingest_many() call")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    django_on_fresh_database("helpdesk_bench_email")

    from django.core.management import call_command

    from channels_in.email.inbound import parse_email
    from tickets.models import Message, Ticket

    with tempfile.TemporaryDirectory(prefix="bench-maildir-") as tmp:
        maildir = Path(tmp) / "Maildir"
        conversations = write_maildir(maildir, args.n, args.seed)
        raws = [path.read_bytes() for path in sorted((maildir / "new").iterdir())]
        size = sum(map(len, raws)) / len(raws)
        print(f"email_ingest: {args.n} mails ({size / 1024:.1f} KB average), {conversations} conversations")

        out = io.StringIO()
        start = time.perf_counter()
        call_command("ingest_email", str(maildir), batch=args.batch, stdout=out, stderr=sys.stderr)
        rate = args.n / (time.perf_counter() - start)
        print(out.getvalue().strip())
        assert Message.objects.count() == args.n, "every mail stored"
        assert Ticket.objects.count() == conversations, "every reply threaded onto its conversation"

        out = io.StringIO()
        start = time.perf_counter()
        call_command("ingest_email", str(maildir), batch=args.batch, stdout=out, stderr=io.StringIO())
        again = args.n / (time.perf_counter() - start)
        assert f"{args.n} duplicates skipped" in out.getvalue()

        start = time.perf_counter()
        for raw in raws:
            parse_email(raw)
        parse_rate = args.n / (time.perf_counter() - start)

    print(f"parse_email() alone:            {parse_rate:8.0f} msg/s")
    print(f"ingest_email (parse + ingest):  {rate:8.0f} msg/s  (batches of {args.batch}; target {TARGET})")
    print(f"ingest_email again (all dupes): {again:8.0f} msg/s")
    if rate < TARGET:
        sys.exit(f"below the target of {TARGET} msg/s")


if __name__ == "__main__":
    main()
