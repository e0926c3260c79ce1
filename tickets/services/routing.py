"""Routing: the admin's rules run on new tickets and customer replies, then tickets go to agents.

Runs in Celery after the ingest commits (`route_after_commit`), a batch at a time: the rules are
compiled once, every ticket's facts are read in a fixed number of queries, and the changes are
written by `tickets.rules.actions.apply_actions`. Each rule that fires leaves a timeline row
saying which conditions held and what each action did, so "why is this ticket in Billing?" has
an answer on the ticket itself.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tickets import timeline
from tickets.bulk import insert_rows
from tickets.models import ActionKind, Condition, Direction, Message, RoutingRule, Ticket, TicketEvent
from tickets.rules.actions import apply_actions
from tickets.rules.conditions import Facts
from tickets.rules.engine import CompiledRule, Step, active_rules, load_rules, run_rules

CREATED, CUSTOMER_REPLY = "created", "customer_reply"


def route_after_commit(*, created: Sequence[int], replied: Sequence[int]) -> None:
    """Have the rules run on these tickets once the current transaction commits."""
    from tickets.tasks import route_tickets_task  # tasks import the services

    for ids, trigger in ((sorted(created), CREATED), (sorted(replied), CUSTOMER_REPLY)):
        if ids:
            transaction.on_commit(lambda ids=ids, trigger=trigger: route_tickets_task.delay(ids, trigger), robust=True)


def route(*, ticket_ids: list[int], trigger: str, now: datetime | None = None) -> dict[int, list[str]]:
    """Run the active rules for `trigger` on the open tickets; returns the rules that fired per ticket.

    New tickets without a language get the one detected in their text first. Tickets left with a
    team and no assignee are then offered to the team's agents (tickets/services/assign.py).
    Locks the tickets (pk order).
    """
    now = now or timezone.now()
    rules = [rule for rule in active_rules() if rule.runs_on(trigger)]
    with transaction.atomic():
        tickets = [
            t
            for t in Ticket.objects.select_for_update(of=("self",))
            .select_related("customer__organization", "team", "assignee")
            .filter(pk__in=ticket_ids, merged_into__isnull=True)
            .order_by("pk")
            if t.is_open
        ]
        detect = trigger == CREATED or any(_reads_language(rule) for rule in rules)
        facts = facts_for(tickets, now, detect_language=detect)
        items: list[tuple[Ticket, list[Step]]] = []
        outcomes = {}
        for ticket in tickets:
            # The detected language goes first, so the rules' actions can still override it.
            language = facts[ticket.pk].language
            steps = (
                [Step(ActionKind.SET_LANGUAGE, language)]
                if trigger == CREATED and not ticket.language and language
                else []
            )
            outcomes[ticket.pk] = run_rules(rules, facts[ticket.pk], trigger)
            steps += [step for outcome in outcomes[ticket.pk] for step in outcome.rule.actions]
            if steps:
                items.append((ticket, steps))
        said = apply_actions(items, now=now, source="routing rules", assign=False)
        log: list[TicketEvent] = []
        for ticket, steps in items:
            rule_steps = sum(len(o.rule.actions) for o in outcomes[ticket.pk])
            sentences = said[ticket.pk][len(steps) - rule_steps :]
            rules: list[timeline.FiredRule] = []
            for outcome in outcomes[ticket.pk]:
                did, sentences = sentences[: len(outcome.rule.actions)], sentences[len(outcome.rule.actions) :]
                rules.append({"name": outcome.rule.name, "why": outcome.why, "did": did})
            if rules:
                log.append(timeline.rule_applied_event(ticket=ticket, source="rule", rules=rules))
        fired = {ticket.pk: [o.rule.name for o in outcomes[ticket.pk]] for ticket in tickets}
        insert_rows(log)
        from tickets.services.assign import assign_after_commit  # assignment imports the services

        assign_after_commit([t.pk for t in tickets if t.team_id and not t.assignee_id])
    return fired


def _reads_language(rule: CompiledRule) -> bool:
    return Condition.LANGUAGE in rule.fields


def facts_for(tickets: list[Ticket], now: datetime, *, detect_language: bool) -> dict[int, Facts]:
    """What the rules see of each ticket: its newest customer message, customer, tags (three queries)."""
    ids = [t.pk for t in tickets]
    newest = (
        Message.objects.filter(ticket_id__in=ids, direction=Direction.IN)
        .values("ticket_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    messages = {
        m.ticket_id: m
        for m in Message.objects.filter(pk__in=list(newest)).only(
            "ticket_id", "subject", "body_text", "address", "channel_address"
        )
    }
    tags: dict[int, set[str]] = {pk: set() for pk in ids}
    for ticket_id, name in Ticket.tags.through.objects.filter(ticket_id__in=ids).values_list("ticket_id", "tag__name"):
        tags[ticket_id].add(name.casefold())
    bodies = [messages[t.pk].body_text if t.pk in messages else "" for t in tickets]
    detected = _detect(bodies) if detect_language else [""] * len(tickets)
    facts = {}
    for ticket, language in zip(tickets, detected, strict=True):
        message = messages.get(ticket.pk)
        customer, organization = ticket.customer, ticket.customer.organization
        facts[ticket.pk] = Facts(
            channel=ticket.channel,
            channel_address=message.channel_address if message else "",
            subject=ticket.subject,
            body=message.body_text if message else "",
            language=language or ticket.language,
            customer_language=customer.language,
            customer_time_zone=customer.time_zone,
            customer_address=message.address if message else "",
            organization=organization.name if organization else "",
            organization_tier=organization.tier if organization else "",
            tags=tags[ticket.pk],
            priority=ticket.priority,
            team=ticket.team.name if ticket.team else "",
            now=now,
        )
    return facts


def _detect(texts: list[str]) -> list[str]:
    from tickets.language import detect_languages  # loads the detector's models on first use

    return detect_languages(texts)


@dataclass(frozen=True)
class Explanation:
    """A rule tried on one ticket, for the admin's preview: each condition and whether it holds."""

    fires: bool
    conditions: list[tuple[str, bool]]
    actions: list[str]
    stops: bool


def explain(rule: RoutingRule, ticket: Ticket, *, trigger: str = CREATED) -> Explanation:
    """What `rule` would do to `ticket` now, without changing anything (the rule need not be active)."""
    (compiled,) = load_rules(ids=[rule.pk], active=False)
    ticket = Ticket.objects.select_related("customer__organization", "team").get(pk=ticket.pk)
    facts = facts_for([ticket], timezone.now(), detect_language=_reads_language(compiled))[ticket.pk]
    fires, _ = compiled.evaluate(facts)
    return Explanation(
        fires=fires and compiled.runs_on(trigger),
        conditions=[(text, check(facts)) for text, check in compiled.conditions],
        actions=[f"{ActionKind(step.kind).label}: {step.value}" for step in compiled.actions],
        stops=compiled.stop,
    )
