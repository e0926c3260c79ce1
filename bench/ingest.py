"""Inbound messages per second through the ingest service, one process, on PostgreSQL.

Mix: 60% new tickets (half from returning customers), 40% replies threaded onto existing tickets
(e-mail In-Reply-To and SMS within the thread window), 10% carrying a 4 KB attachment. Measured
twice on fresh databases: `ingest_many()` in batches of --batch (what pollers and importers
hand it), and `ingest()` one message per transaction (a webhook). The same run times a plain
one-row-per-transaction INSERT loop of as many rows, for the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/ingest.py --n 20000
"""

import argparse
import random
import time

from _setup import django_on_fresh_database


def build_messages(n: int, rng: random.Random):
    from tickets.inbound import InboundAttachment, InboundMessage

    attachment = InboundAttachment("log.txt", "text/plain", b"x" * 4096)
    emails_sent: list[tuple[str, str]] = []  # (external id, sender) of e-mails that can be replied to
    phones_used: list[str] = []
    messages = []
    for i in range(n):
        attachments = (attachment,) if rng.random() < 0.10 else ()
        roll = rng.random()
        if roll < 0.40 and emails_sent and phones_used:
            if rng.random() < 0.5:
                replied, sender = rng.choice(emails_sent)
                msg = InboundMessage(
                    channel="email",
                    external_id=f"<r{i}@bench>",
                    sender_address=sender,
                    subject="Re: help",
                    text="Any news on this?",
                    reply_to_ids=(replied,),
                    attachments=attachments,
                )
            else:
                msg = InboundMessage(
                    channel="sms",
                    external_id=f"SM{i}",
                    sender_address=rng.choice(phones_used),
                    text="Still waiting",
                    attachments=attachments,
                )
        else:
            person = rng.randrange(max(1, i // 2 + 1))  # about half are returning customers
            if rng.random() < 0.6:
                sender = f"customer{person}@example.org"
                msg = InboundMessage(
                    channel="email",
                    external_id=f"<n{i}@bench>",
                    sender_address=sender,
                    sender_name=f"Customer {person}",
                    subject=f"Order {i} problem",
                    text="Hello,\nmy order has not arrived.\n" * 5,
                    attachments=attachments,
                )
                emails_sent.append((msg.external_id, sender))
            else:
                phone = f"+1415{person % 10_000_000:07d}"
                # A new SMS from a number with no ticket in the window opens a ticket.
                msg = InboundMessage(
                    channel="sms",
                    external_id=f"SM{i}",
                    sender_address=phone,
                    text="Help please",
                    attachments=attachments,
                )
                phones_used.append(phone)
        messages.append(msg)
    return messages


def plain_insert_loop(n: int) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_plain (id bigserial PRIMARY KEY, ticket_id bigint, direction varchar(3), "
            "channel varchar(16), external_id varchar(255) UNIQUE, body_text text, created_at timestamptz)"
        )
    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO bench_plain (ticket_id, direction, channel, external_id, body_text, created_at) "
                "VALUES (%s, 'in', 'email', %s, %s, now())",
                [i, f"<p{i}@bench>", "Hello,\nmy order has not arrived.\n" * 5],
            )
    return n / (time.perf_counter() - start)


def timed(label: str, messages: list, batch: int) -> float:
    from tickets.services import ingest, ingest_many

    start = time.perf_counter()
    for done in range(0, len(messages), batch):
        chunk = messages[done : done + batch]
        if batch == 1:
            ingest(chunk[0])
        else:
            ingest_many(chunk)
        if (done + len(chunk)) % 5000 < len(chunk):
            rate = (done + len(chunk)) / (time.perf_counter() - start)
            print(f"  {label}: {done + len(chunk)}/{len(messages)}  {rate:.0f} msg/s", flush=True)
    return len(messages) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100, help="messages per ingest_many() call")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    django_on_fresh_database("helpdesk_bench_ingest")

    from django.conf import settings
    from django.core.management import call_command

    from tickets.models import Message, Ticket
    from tickets.services import ingest_many

    messages = build_messages(args.n, random.Random(args.seed))
    print(f"ingest: {args.n} messages, channel layer {settings.CHANNEL_LAYERS['default']['BACKEND']}")
    batched = timed(f"ingest_many (batches of {args.batch})", messages, args.batch)
    tickets, stored = Ticket.objects.count(), Message.objects.count()
    again = time.perf_counter()
    assert all(r.duplicate for r in ingest_many(messages[:1000]))
    dup_rate = 1000 / (time.perf_counter() - again)

    call_command("flush", interactive=False, verbosity=0)
    single = timed("ingest (one per transaction)", messages, 1)
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, stored), "both paths thread alike"

    plain = plain_insert_loop(args.n)
    print(f"ingest_many(), batches of {args.batch}: {batched:8.0f} msg/s  ({stored} messages, {tickets} tickets)")
    print(f"ingest(), one by one:       {single:8.0f} msg/s")
    print(f"redelivered batch (dupes):  {dup_rate:8.0f} msg/s")
    print(f"plain INSERT loop:          {plain:8.0f} rows/s")
    print(f"ratio batched/plain:        {batched / plain:8.2f}")
    print(f"ratio one-by-one/plain:     {single / plain:8.2f}")


if __name__ == "__main__":
    main()
