"""Demo data for the embedded default: people, teams, customers on several channels, tickets.

Everything goes through the services (ingest, reply, update_ticket), as real traffic would, so the
demo also exercises the one inbound path. Replies are delivered to Django's in-memory mail outbox.
"""

import random
import sys
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from customers.models import Organization
from helpdesk.models import User
from helpdesk.roles import Role
from tickets.inbound import InboundAttachment, InboundMessage
from tickets.models import (
    ActionKind,
    Automation,
    Channel,
    Condition,
    Macro,
    Operator,
    Priority,
    RoutingRule,
    Status,
    Team,
    Ticket,
)
from tickets.services import ingest, reply, update_ticket

PASSWORD = "demo"  # noqa: S105 - documented demo password, local embedded default only

PEOPLE = [
    ("admin", "Ada", "Admin", Role.ADMIN, []),
    ("alice", "Alice", "Martin", Role.AGENT, ["Support"]),
    ("bob", "Bob", "Nguyen", Role.AGENT, ["Support", "Sales"]),
    ("carl", "Carl", "Jensen", Role.AGENT, ["Billing"]),
    ("lena", "Lena", "Schmidt", Role.LIGHT_AGENT, ["Support"]),
]
FIRST = ["Maria", "James", "Aiko", "Lars", "Fatima", "Noah", "Chloe", "Mateo", "Priya", "Olga", "Kwame", "Sofia"]
LAST = ["Garcia", "Smith", "Tanaka", "Hansen", "Khan", "Müller", "Dubois", "Rossi", "Patel", "Ivanova", "Mensah"]
TOPICS = [
    ("Order #{n} has not arrived", "I ordered two weeks ago and the tracking has not moved since Monday."),
    ("Refund for a double charge", "My card was charged twice for the same invoice. Can you refund one?"),
    ("Cannot log in to my account", "The password reset e-mail never arrives. I checked the spam folder."),
    ("Change my delivery address", "I moved last week; please send the next parcel to my new address."),
    ("Invoice {n} is missing VAT", "Our accountant needs the VAT number on the invoice. Could you reissue it?"),
    ("The app crashes on start", "Since the last update the app closes right after the splash screen."),
    ("Question about the Pro plan", "Does the Pro plan include phone support and how many seats?"),
    ("Damaged item", "The box arrived crushed and the lid of the kettle is broken."),
]
REPLIES = [
    "Thanks for reaching out! I've looked into this and will get back to you shortly.",
    "Sorry about that. I've issued a correction; you should see it within 3-5 business days.",
    "Could you send us a screenshot of the error so we can investigate?",
]
CHANNELS = [Channel.EMAIL] * 4 + [
    Channel.WEBFORM,
    Channel.SMS,
    Channel.SMS,
    Channel.WHATSAPP,
    Channel.CHAT,
    Channel.TELEGRAM,
    Channel.X,
    Channel.PHONE,
]
STATUS_WEIGHTS = [
    (Status.NEW, 3),
    (Status.OPEN, 4),
    (Status.PENDING, 2),
    (Status.ON_HOLD, 1),
    (Status.SOLVED, 3),
    (Status.CLOSED, 1),
]


class Command(BaseCommand):
    help = "Load demo agents, teams, customers and tickets (all through the services)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=300)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any ticket exists.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, tickets: int, if_empty: bool, seed: int, **options):
        if if_empty and Ticket.objects.exists():
            self.stdout.write("Tickets exist; demo data not loaded.")
            return
        self.rng = random.Random(seed)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            users, teams = self._people()
            self._macros()
            self._routing(teams)
            self._tickets(tickets, users, teams)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {tickets} tickets. Logins use password '{PASSWORD}'."))

    def _people(self):
        teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("Support", "Billing", "Sales")}
        users = {}
        for username, first, last, role, team_names in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "role": role, "email": f"{username}@example.com"},
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            for name in team_names:
                teams[name].members.add(user)
            users[username] = user
        for name, tier in (("Acme Corp", ""), ("Globex", "vip"), ("Initech", "")):
            Organization.objects.get_or_create(name=name, defaults={"tier": tier})
        Team.objects.filter(name="Support").update(assignment=Team.Assignment.ROUND_ROBIN, lead=users["alice"])
        Team.objects.filter(name="Billing").update(assignment=Team.Assignment.LEAST_LOADED)
        return users, teams

    def _macros(self):
        Macro.objects.get_or_create(name="Greeting", defaults={"body": "Hi {{ customer.first_name }},\n\n"})
        Macro.objects.get_or_create(
            name="Closing", defaults={"body": "\n\nBest regards,\n{{ agent.name }} — ticket #{{ ticket.number }}"}
        )
        Macro.objects.get_or_create(
            name="Need screenshot",
            defaults={"body": "Could you send us a screenshot of the error, {{ customer.first_name }}?"},
        )

    def _routing(self, teams):
        """A few rules and the classic automations, so a new install shows what they do."""
        Macro.objects.get_or_create(
            name="Still there?",
            defaults={"body": "Hi {{ customer.first_name }}, is your question about #{{ ticket.number }} solved?"},
        )
        rules = [
            (
                "Invoices to Billing",
                (Condition.SUBJECT_OR_BODY, Operator.ANY_WORD, "invoice, refund, payment"),
                (ActionKind.SET_TEAM, "Billing"),
            ),
            ("VIP customers first", (Condition.ORGANIZATION_TIER, Operator.IS, "vip"), (ActionKind.SET_PRIORITY, "3")),
            ("Everything else to Support", (Condition.TEAM, Operator.IS, ""), (ActionKind.SET_TEAM, "Support")),
        ]
        for position, (name, condition, action) in enumerate(rules):
            rule, created = RoutingRule.objects.get_or_create(name=name, defaults={"position": position})
            if created:
                rule.conditions.create(field=condition[0], operator=condition[1], value=condition[2])
                rule.actions.create(kind=action[0], value=action[1])
        day = 24 * 60
        automations = [
            (
                "Solve after 7 days pending",
                Status.PENDING,
                Automation.Anchor.STATUS_CHANGED,
                7 * day,
                (ActionKind.SET_STATUS, "solved"),
            ),
            (
                "Remind pending customers",
                Status.PENDING,
                Automation.Anchor.STATUS_CHANGED,
                3 * day,
                (ActionKind.REPLY_MACRO, "Still there?"),
            ),
            (
                "Close solved after 4 days",
                Status.SOLVED,
                Automation.Anchor.SOLVED,
                4 * day,
                (ActionKind.SET_STATUS, "closed"),
            ),
            (
                "Unassigned for 30 minutes",
                Status.NEW,
                Automation.Anchor.CREATED,
                30,
                (ActionKind.NOTIFY_TEAM, "Waiting 30 minutes for an agent"),
            ),
        ]
        for position, (name, status, anchor, minutes, action) in enumerate(automations):
            automation, created = Automation.objects.get_or_create(
                name=name,
                defaults={"position": position, "status": status, "anchor": anchor, "after_minutes": minutes},
            )
            if created:
                automation.unassigned_only = status == Status.NEW
                automation.save(update_fields=["unassigned_only"])
                automation.actions.create(kind=action[0], value=action[1])

    def _sender(self, i: int, channel: str) -> tuple[str, str]:
        """About 150 people; person k keeps the same e-mail and phone whatever channel they use."""
        k = i % 150
        name = f"{FIRST[k % len(FIRST)]} {LAST[(k // len(FIRST)) % len(LAST)]}"
        if channel in (Channel.EMAIL, Channel.WEBFORM):
            return f"{name.split()[0].lower()}.{k}@example.org", name
        if channel in (Channel.SMS, Channel.WHATSAPP, Channel.PHONE):
            return f"+1415555{k:04d}", name
        if channel == Channel.X:
            return f"customer_{k}", name
        if channel == Channel.TELEGRAM:
            return str(100000 + k), name
        return f"visitor-{k}", name

    def _tickets(self, count: int, users, teams):
        agents = [users["alice"], users["bob"], users["carl"]]
        team_of = {"alice": teams["Support"], "bob": teams["Support"], "carl": teams["Billing"]}
        now = timezone.now()
        for i in range(count):
            channel = self.rng.choice(CHANNELS)
            address, name = self._sender(i, channel)
            subject, text = self.rng.choice(TOPICS)
            at = now - timedelta(minutes=self.rng.randint(5, 60 * 24 * 30))
            attachments = (InboundAttachment("photo.txt", "text/plain", b"demo attachment"),) if i % 15 == 0 else ()
            with transaction.atomic():
                result = ingest(
                    InboundMessage(
                        channel=channel,
                        external_id=f"demo-{i}",
                        sender_address=address,
                        sender_name=name,
                        subject=subject.format(n=1000 + i) if channel in (Channel.EMAIL, Channel.WEBFORM) else "",
                        text=text,
                        timestamp=at,
                        attachments=attachments,
                    )
                )
                ticket = result.ticket
                status = self.rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
                agent = self.rng.choice(agents)
                if status != Status.NEW:
                    update_ticket(ticket=ticket, by=agent, team=team_of[agent.username], assignee=agent)
                    if channel in (Channel.EMAIL, Channel.WEBFORM):
                        reply(ticket=ticket, author=agent, text=self.rng.choice(REPLIES))
                        if i % 4 == 0 and channel == Channel.EMAIL:
                            ingest(
                                InboundMessage(
                                    channel=Channel.EMAIL,
                                    external_id=f"demo-{i}-followup",
                                    sender_address=address,
                                    sender_name=name,
                                    subject=f"Re: {ticket.subject}",
                                    text="Thanks, that helps!",
                                    reply_to_ids=(f"demo-{i}",),
                                )
                            )
                    if i % 5 == 0:
                        reply(
                            ticket=ticket, author=users["lena"], text="Customer is a long-time client.", internal=True
                        )
                    update_ticket(
                        ticket=ticket,
                        by=agent,
                        status=status,
                        priority=self.rng.choice(list(Priority.values)),
                        tags=self.rng.sample(["vip", "refund", "shipping", "bug", "billing"], k=self.rng.randint(0, 2)),
                    )
            if (i + 1) % 25 == 0 or i + 1 == count:
                sys.stdout.write(f"\r  tickets {i + 1}/{count}")
                sys.stdout.flush()
        sys.stdout.write("\n")
