"""One SLA escalation sweep over a million open tickets of which 1% are due, on PostgreSQL.

Fills its own database server-side: open tickets under one policy whose first-response target is
running (a ticket row and its SLA clock), 1% of them with their next check in the past. Times one
`tickets.services.sla.sweep()` (warnings and breaches written, notifications handed off), then a
second sweep, which must find nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/sla_sweep.py --tickets 1000000
"""

import argparse
import os
import time

from _setup import django_on_fresh_database

FILL_SQL = """
SELECT setseed(0.7);

INSERT INTO customers_customer (name, language, time_zone, notes, created_at, updated_at)
SELECT 'Customer ' || g, '', '', '', now(), now() FROM generate_series(1, %(customers)s) g;

INSERT INTO tickets_ticket (subject, status, priority, channel, customer_id, language, conversation_id,
                            created_at, updated_at, last_message_at, sla_policy_id, first_response_due_at)
SELECT 'Ticket ' || g, 'open', 2, 'email', (SELECT min(id) FROM customers_customer) + g %% %(customers)s, '', '',
       created, created, created, %(policy)s, created + interval '60 minutes'
FROM (
    SELECT g, CASE WHEN random() < 0.01 THEN now() - (50 + random() * 30) * interval '1 minute'
                   ELSE now() + random() * interval '30 days' END AS created
    FROM generate_series(1, %(tickets)s) g
) t;

INSERT INTO tickets_slaclock (ticket_id, state, next_check_at)
SELECT id,
       jsonb_build_object('pauses', '[]'::jsonb, 'first_response', jsonb_build_object(
           'start', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
           'due', to_char((created_at + interval '60 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
           'warn', to_char((created_at + interval '48 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
           'status', 'pending', 'done', null)),
       created_at + interval '48 minutes'
FROM tickets_ticket;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a filled database between runs")
    args = parser.parse_args()
    # The sweep is what is timed: escalation and e-mail are tasks of their own, queued, not run here.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    django_on_fresh_database("helpdesk_bench_sla", reuse=args.reuse)

    from django.db import connection

    from tickets.models import SlaClock, SlaPolicy, Ticket, TicketEvent
    from tickets.services import sla

    if not Ticket.objects.exists():
        policy = SlaPolicy.objects.create(name="Standard", first_response_minutes=60)
        start = time.perf_counter()
        with connection.cursor() as cur:
            for statement in filter(str.strip, FILL_SQL.split(";")):
                cur.execute(
                    statement, {"tickets": args.tickets, "customers": max(1, args.tickets // 5), "policy": policy.pk}
                )
            # Steady state, as autovacuum leaves it: hint bits set, statistics fresh.
            cur.execute("VACUUM ANALYZE")
        print(f"filled {args.tickets} tickets in {time.perf_counter() - start:.0f} s")
    due = SlaClock.objects.filter(next_check_at__lte=time_now()).count()
    before = TicketEvent.objects.count()

    start = time.perf_counter()
    swept = sla.sweep()
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = sla.sweep()
    second = time.perf_counter() - start

    print(f"open tickets: {args.tickets}, due now: {due}")
    print(f"sweep:        {first * 1000:8.0f} ms  ({swept} tickets, {TicketEvent.objects.count() - before} events)")
    print(f"second sweep: {second * 1000:8.0f} ms  ({again} tickets)")


def time_now():
    from django.utils import timezone

    return timezone.now()


if __name__ == "__main__":
    main()
