"""Routing 10,000 new tickets through 50 rules: tickets per second, on PostgreSQL.

Ingests `--tickets` new tickets (not timed) from a mix of channels, mailboxes, organizations and
languages, with bodies of about 300 characters, then times `tickets.services.routing.route()` on
them in batches of `--batch` (what one Celery task gets from a busy inbox): locking, reading the
facts, language detection, 50 rules (keywords, regular expressions, channel, mailbox, tier,
language, business hours, priority), applying the actions and writing the rule log. Prints the
rate and where the time went. Target: at least 1,000 tickets/s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/routing.py --tickets 10000
"""

import argparse
import os
import random
import time
from datetime import time as clock

from _setup import django_on_fresh_database

SENTENCES = {
    "en": [
        "I ordered the blue model last week and it still has not arrived.",
        "Could you please check my invoice, the amount looks wrong to me.",
        "The app crashes every time I try to log in from my phone.",
        "We would like to upgrade our plan to include more seats for the team.",
        "My password reset link does not work and I am locked out.",
        "Thank you for the quick help yesterday, but the problem is back.",
    ],
    "de": [
        "Ich habe letzte Woche das blaue Modell bestellt und es ist noch nicht angekommen.",
        "Könnten Sie bitte meine Rechnung prüfen, der Betrag scheint falsch zu sein.",
        "Die App stürzt jedes Mal ab, wenn ich mich auf dem Handy anmelde.",
    ],
    "fr": [
        "J'ai commandé le modèle bleu la semaine dernière et il n'est toujours pas arrivé.",
        "Pourriez-vous vérifier ma facture, le montant me semble incorrect.",
        "L'application plante chaque fois que j'essaie de me connecter.",
    ],
    "da": [
        "Jeg bestilte den blå model i sidste uge, og den er stadig ikke kommet.",
        "Kan I tjekke min faktura, beløbet ser forkert ud.",
    ],
}
LANGUAGE_MIX = ["en"] * 14 + ["de"] * 3 + ["fr"] * 2 + ["da"]
PRODUCTS = ["router", "camera", "speaker", "thermostat", "doorbell", "tablet", "watch", "printer", "scanner", "lamp"]


def build_rules(teams: list[str]) -> int:
    """50 rules of the kinds admins write, most of them keyword rules that rarely fire."""
    from tickets.models import (
        ActionKind,
        BusinessCalendar,
        BusinessHours,
        Condition,
        Macro,
        Operator,
        RoutingRule,
        RuleAction,
        RuleCondition,
    )

    office = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Copenhagen")
    BusinessHours.objects.bulk_create(
        BusinessHours(calendar=office, weekday=d, opens=clock(8), closes=clock(17)) for d in range(5)
    )
    Macro.objects.create(name="After hours", body="Hi {{ customer.first_name }}, we reply tomorrow morning.")
    specs: list[tuple[str, list, list]] = []
    for i, product in enumerate(PRODUCTS * 2):  # 20 keyword rules
        words = f"{product}, {product}s, {product}-{i}"
        specs.append(
            (
                f"product {i}",
                [(Condition.SUBJECT_OR_BODY, Operator.ANY_WORD, words)],
                [(ActionKind.ADD_TAGS, product), (ActionKind.SET_TEAM, teams[i % len(teams)])],
            )
        )
    for i in range(10):  # 10 regular expressions
        specs.append(
            (
                f"pattern {i}",
                [(Condition.BODY, Operator.MATCHES, rf"(order|bestellung|commande)\s*#?{i}\d{{4}}")],
                [(ActionKind.ADD_TAGS, f"order-{i}")],
            )
        )
    for i, channel in enumerate(["sms", "whatsapp", "facebook", "x", "telegram"]):
        specs.append((f"channel {i}", [(Condition.CHANNEL, Operator.IS, channel)], [(ActionKind.ADD_TAGS, "social")]))
    for i, box in enumerate(["sales", "billing", "press", "jobs", "partners"]):
        specs.append(
            (
                f"mailbox {i}",
                [(Condition.CHANNEL_ADDRESS, Operator.IS, f"{box}@acme.test")],
                [(ActionKind.SET_TEAM, teams[i % len(teams)])],
            )
        )
    for i, tier in enumerate(["vip", "gold", "trial"]):
        specs.append(
            (f"tier {i}", [(Condition.ORGANIZATION_TIER, Operator.IS, tier)], [(ActionKind.SET_PRIORITY, str(4 - i))])
        )
    for i, language in enumerate(["de", "fr", "da"]):
        specs.append(
            (f"language {i}", [(Condition.LANGUAGE, Operator.IS, language)], [(ActionKind.SET_TEAM, teams[-1])])
        )
    specs.append(
        (
            "after hours",
            [(Condition.BUSINESS_HOURS, Operator.OUTSIDE, "Office"), (Condition.CHANNEL, Operator.IS, "email")],
            [(ActionKind.ADD_TAGS, "after-hours"), (ActionKind.REPLY_MACRO, "After hours")],
        )
    )
    specs.append(
        (
            "urgent words",
            [(Condition.SUBJECT, Operator.ANY_WORD, "urgent, asap, down, outage")],
            [(ActionKind.SET_PRIORITY, "4")],
        )
    )
    specs.append(
        (
            "urgent to lead",
            [(Condition.PRIORITY, Operator.AT_LEAST, "4")],
            [(ActionKind.NOTIFY_TEAM, "Urgent ticket")],
        )
    )
    specs.append(("catch-all", [(Condition.TEAM, Operator.IS, "")], [(ActionKind.SET_TEAM, teams[0])]))
    for position, (name, conditions, actions) in enumerate(specs):
        rule = RoutingRule.objects.create(name=name, position=position)
        RuleCondition.objects.bulk_create(
            RuleCondition(rule=rule, field=f, operator=o, value=v) for f, o, v in conditions
        )
        RuleAction.objects.bulk_create(RuleAction(rule=rule, kind=k, value=v) for k, v in actions)
    return len(specs)


def ingest_tickets(n: int) -> list[int]:
    from customers.models import Customer, Organization
    from tickets.inbound import InboundMessage
    from tickets.models import Channel
    from tickets.services import ingest_many

    rng = random.Random(7)
    channels = [Channel.EMAIL] * 6 + [Channel.SMS, Channel.WHATSAPP, Channel.FACEBOOK, Channel.TELEGRAM]
    boxes = ["support@acme.test"] * 6 + ["sales@acme.test", "billing@acme.test", "press@acme.test", "jobs@acme.test"]
    msgs = []
    for i in range(n):
        language = rng.choice(LANGUAGE_MIX)
        text = " ".join(rng.choice(SENTENCES[language]) for _ in range(4))
        if rng.random() < 0.3:
            text += f" It is about my {rng.choice(PRODUCTS)}."
        if rng.random() < 0.1:
            text += f" Order #{rng.randrange(10**5):05d}."
        channel = rng.choice(channels)
        address = {Channel.EMAIL: f"person{i}@example.org", Channel.SMS: f"+4520{i:06d}"}.get(channel, str(10**9 + i))
        msgs.append(
            InboundMessage(
                channel=channel,
                external_id=f"bench-{i}",
                sender_address=f"+4520{i:06d}" if channel == Channel.WHATSAPP else address,
                sender_name=f"Person {i}",
                subject=rng.choice(["Help", "Question about my order", "URGENT: site down", "Invoice"]),
                text=text,
                channel_address=rng.choice(boxes) if channel == Channel.EMAIL else "",
            )
        )
    ids = []
    for start in range(0, n, 500):
        ids += [result.ticket.pk for result in ingest_many(msgs[start : start + 500])]
    organizations = [Organization.objects.create(name=f"Org {t}", tier=t) for t in ("vip", "gold", "trial", "")]
    customers = list(Customer.objects.all())
    for customer in customers:
        customer.organization = rng.choice(organizations + [None] * 4)
    Customer.objects.bulk_update(customers, ["organization"], batch_size=2000)
    return sorted(set(ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    # Routing is what is timed: nothing may run it (or anything else) when the ingest commits.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    django_on_fresh_database("helpdesk_bench_routing")

    from django.db import connection

    from tickets.language import detect_languages
    from tickets.models import Message, Team, Ticket, TicketEvent
    from tickets.rules.engine import load_rules, run_rules
    from tickets.services import routing

    teams = [Team.objects.create(name=n).name for n in ("Support", "Sales", "Billing", "Europe")]
    rules = build_rules(teams)
    start = time.perf_counter()
    ids = ingest_tickets(args.tickets)
    print(f"ingested {len(ids)} tickets in {time.perf_counter() - start:.1f} s (not timed below)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    # The parts alone, on the same tickets: detection, then the rules on ready facts.
    texts = list(Message.objects.filter(ticket_id__in=ids).values_list("body_text", flat=True))
    detect_languages(texts[:10])  # builds the detector (once per process)
    start = time.perf_counter()
    detect_languages(texts)
    detection = time.perf_counter() - start
    compiled = load_rules()
    tickets = list(Ticket.objects.select_related("customer__organization", "team").filter(pk__in=ids))
    facts = routing.facts_for(tickets, tickets[0].created_at, detect_language=False)
    start = time.perf_counter()
    fired = sum(len(run_rules(compiled, f, routing.CREATED)) for f in facts.values())
    evaluation = time.perf_counter() - start

    start = time.perf_counter()
    for at in range(0, len(ids), args.batch):
        routing.route(ticket_ids=ids[at : at + args.batch], trigger=routing.CREATED)
    elapsed = time.perf_counter() - start

    logged = TicketEvent.objects.filter(kind=TicketEvent.Kind.RULE_APPLIED).count()
    print(f"rules: {rules}, tickets: {len(ids)}, batch: {args.batch}")
    print(f"route():            {elapsed:6.2f} s  = {len(ids) / elapsed:7.0f} tickets/s  (target >= 1,000)")
    print(f"  of which language detection alone: {detection:5.2f} s, rule evaluation alone: {evaluation:5.2f} s")
    print(f"rules fired: {fired} ({fired / len(ids):.1f} per ticket), rule log rows: {logged}")


if __name__ == "__main__":
    main()
