"""Running routing rules over Facts: compiled once per batch, evaluated without the database.

Rules run in position order. A rule that fires hands its actions on and updates the facts later
rules see (a rule that raises the priority makes "priority at least high" hold for the next one);
a rule marked `stop` ends the run for that ticket.
"""

import time
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Prefetch

from tickets.models import ActionKind, BusinessCalendar, BusinessHours, Holiday, RoutingRule
from tickets.rules.actions import tag_names
from tickets.rules.conditions import Check, Facts, compile_condition

CACHE_SECONDS = 60
_cache: tuple[tuple[int, datetime | None], float, list["CompiledRule"]] | None = None


@dataclass(frozen=True)
class Step:
    kind: str
    value: str


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    match_all: bool
    on_create: bool
    on_customer_reply: bool
    stop: bool
    fields: frozenset[str]  # what its conditions read
    conditions: tuple[tuple[str, Check], ...]  # (what it says, check)
    actions: tuple[Step, ...]

    def runs_on(self, trigger: str) -> bool:
        return self.on_create if trigger == "created" else self.on_customer_reply

    def evaluate(self, facts: Facts) -> tuple[bool, list[str]]:
        """Whether the rule fires, and the conditions that made it (all of them, or the first that held)."""
        if not self.conditions:
            return True, ["no conditions: always"]
        held = []
        for text, check in self.conditions:
            if check(facts):
                held.append(text)
                if not self.match_all:
                    return True, held
            elif self.match_all:
                return False, []
        return bool(held), held


@dataclass(frozen=True)
class Outcome:
    rule: CompiledRule
    why: list[str]


def active_rules() -> list[CompiledRule]:
    """The active rules, compiled once per change and process (one query to check for changes).

    A rule's `updated_at` moves when it or one of its rows is saved or deleted; a calendar edit is
    picked up within CACHE_SECONDS.
    """
    global _cache
    version = RoutingRule.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    key = (version["n"], version["last"])
    if _cache is None or _cache[0] != key or time.monotonic() - _cache[1] > CACHE_SECONDS:
        _cache = (key, time.monotonic(), load_rules())
    return _cache[2]


def load_rules(*, ids: list[int] | None = None, active: bool = True) -> list[CompiledRule]:
    """The rules, compiled, in position order (three queries plus one for calendars in use)."""
    qs = RoutingRule.objects.prefetch_related("conditions", "actions")
    if active:
        qs = qs.filter(active=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    rules = list(qs)
    names = {c.value for r in rules for c in r.conditions.all() if c.field == "business_hours"}
    calendars = {}
    if names:
        calendars = {
            c.name: c
            for c in BusinessCalendar.objects.filter(name__in=names).prefetch_related(
                Prefetch("hours", queryset=BusinessHours.objects.all()),
                Prefetch("holidays", queryset=Holiday.objects.all()),
            )
        }
    return [
        CompiledRule(
            id=rule.pk,
            name=rule.name,
            match_all=rule.match == RoutingRule.Match.ALL,
            on_create=rule.on_create,
            on_customer_reply=rule.on_customer_reply,
            stop=rule.stop,
            fields=frozenset(c.field for c in rule.conditions.all()),
            conditions=tuple(
                (str(c), compile_condition(c.field, c.operator, c.value, calendars)) for c in rule.conditions.all()
            ),
            actions=tuple(Step(a.kind, a.value) for a in rule.actions.all()),
        )
        for rule in rules
    ]


def run_rules(rules: list[CompiledRule], facts: Facts, trigger: str) -> list[Outcome]:
    """The rules that fire for one ticket, in order; updates `facts` with what their actions set."""
    fired = []
    for rule in rules:
        if not rule.runs_on(trigger):
            continue
        ok, why = rule.evaluate(facts)
        if not ok:
            continue
        fired.append(Outcome(rule, why))
        for step in rule.actions:
            _update_facts(facts, step)
        if rule.stop:
            break
    return fired


def _update_facts(facts: Facts, step: Step) -> None:
    value = step.value.strip()
    if step.kind == ActionKind.SET_PRIORITY and value.isdigit():
        facts.priority = int(value)
    elif step.kind == ActionKind.SET_TEAM:
        facts.team = value
        facts.forget("team")
    elif step.kind == ActionKind.SET_LANGUAGE and value:
        facts.language = value
        facts.forget("language")
    elif step.kind in (ActionKind.ADD_TAGS, ActionKind.REMOVE_TAGS):
        names = tag_names(value)
        if step.kind == ActionKind.ADD_TAGS:
            facts.tags |= names
        else:
            facts.tags -= names
