"""Routing rule conditions: what each field of a ticket means, and each operator on it.

A condition row (RuleCondition) is compiled once into a `Check`, a plain function of `Facts`, so a
batch of tickets runs through every rule without touching the database. Which operators make sense
for which field is said here too, and the admin form asks `validate_condition` before saving.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError

from tickets.models import BusinessCalendar, Condition, Operator, Priority
from tickets.rules.business_hours import is_open

_TEXT_OPS = {
    Operator.IS,
    Operator.IS_NOT,
    Operator.CONTAINS,
    Operator.NOT_CONTAINS,
    Operator.ANY_WORD,
    Operator.MATCHES,
    Operator.STARTS_WITH,
    Operator.ENDS_WITH,
    Operator.IN,
}
_CODE_OPS = {Operator.IS, Operator.IS_NOT, Operator.IN}
OPERATORS_FOR: dict[str, set[str]] = {
    Condition.CHANNEL: _CODE_OPS,
    Condition.CHANNEL_ADDRESS: _TEXT_OPS,
    Condition.SUBJECT: _TEXT_OPS,
    Condition.BODY: _TEXT_OPS,
    Condition.SUBJECT_OR_BODY: _TEXT_OPS,
    Condition.LANGUAGE: _CODE_OPS,
    Condition.CUSTOMER_LANGUAGE: _CODE_OPS,
    Condition.CUSTOMER_TIME_ZONE: _TEXT_OPS,
    Condition.CUSTOMER_ADDRESS: _TEXT_OPS,
    Condition.ORGANIZATION: _TEXT_OPS,
    Condition.ORGANIZATION_TIER: _CODE_OPS,
    Condition.TAGS: {Operator.CONTAINS, Operator.NOT_CONTAINS, Operator.IN},
    Condition.PRIORITY: {Operator.IS, Operator.IS_NOT, Operator.AT_LEAST, Operator.AT_MOST},
    Condition.TEAM: _CODE_OPS,
    Condition.BUSINESS_HOURS: {Operator.INSIDE, Operator.OUTSIDE},
}


@dataclass
class Facts:
    """What the conditions read about one ticket and the message that triggered the rules.

    Text is kept as written and compared case-insensitively; `language` is the detected language
    of the message (or the ticket's, when the text says too little).
    """

    channel: str
    channel_address: str
    subject: str
    body: str
    language: str
    customer_language: str
    customer_time_zone: str
    customer_address: str
    organization: str
    organization_tier: str
    tags: set[str] = field(default_factory=set)
    priority: int = Priority.NORMAL
    team: str = ""
    now: datetime | None = None
    # Case-folded text and its words, worked out once per field however many rules read them.
    _folded: dict[str, str] = field(default_factory=dict, repr=False)
    _words: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def value(self, name: str) -> str:
        if name == Condition.SUBJECT_OR_BODY:
            return f"{self.subject}\n{self.body}"
        return getattr(self, name)

    def folded(self, name: str) -> str:
        if name not in self._folded:
            self._folded[name] = self.value(name).casefold()
        return self._folded[name]

    def words(self, name: str) -> frozenset[str]:
        if name not in self._words:
            self._words[name] = frozenset(_WORD.findall(self.folded(name)))
        return self._words[name]

    def forget(self, name: str) -> None:
        """Drop what was worked out from `name` (an action changed it)."""
        self._folded.pop(name, None)
        self._words.pop(name, None)


Check = Callable[[Facts], bool]
# A word for "contains any of the words": letters and digits, joined by - ' or . ("e-mail", "v2.1").
_WORD = re.compile(r"\w+(?:[-'.]\w+)*")


def split_values(value: str) -> list[str]:
    return [part.strip().casefold() for part in value.split(",") if part.strip()]


def validate_condition(field_name: str, operator: str, value: str) -> None:
    """Raise ValidationError when the condition cannot be evaluated as the admin meant it."""
    if operator not in OPERATORS_FOR.get(field_name, set()):
        allowed = ", ".join(Operator(op).label for op in sorted(OPERATORS_FOR.get(field_name, ())))
        raise ValidationError({"operator": f"{Condition(field_name).label} can be compared with: {allowed}."})
    if operator == Operator.MATCHES:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValidationError({"value": f"Not a regular expression: {exc}."}) from exc
    if field_name == Condition.PRIORITY and not (value.isdigit() and int(value) in Priority.values):
        raise ValidationError({"value": "A priority is a number from 1 (low) to 4 (urgent)."})
    if field_name == Condition.BUSINESS_HOURS and not BusinessCalendar.objects.filter(name=value).exists():
        raise ValidationError({"value": f"There is no business-hours calendar named {value!r}."})
    if not value.strip() and operator not in (Operator.IS, Operator.IS_NOT):
        raise ValidationError({"value": "This comparison needs a value."})


def compile_condition(field_name: str, operator: str, value: str, calendars: dict[str, BusinessCalendar]) -> Check:
    """A function of Facts for one condition row (validated before it was saved)."""
    if field_name == Condition.BUSINESS_HOURS:
        calendar = calendars.get(value)
        if calendar is None:  # deleted since: the condition cannot hold
            return lambda facts: False
        inside = operator == Operator.INSIDE
        return lambda facts: is_open(calendar, facts.now) == inside
    if field_name == Condition.PRIORITY:
        number = int(value)
        compare = {
            Operator.IS: number.__eq__,
            Operator.IS_NOT: number.__ne__,
            Operator.AT_LEAST: number.__le__,
            Operator.AT_MOST: number.__ge__,
        }[operator]
        return lambda facts: compare(facts.priority)
    if field_name == Condition.TAGS:
        wanted = set(split_values(value))
        if operator == Operator.NOT_CONTAINS:
            return lambda facts: not (wanted & facts.tags)
        if operator == Operator.IN:
            return lambda facts: bool(wanted & facts.tags)
        return lambda facts: wanted <= facts.tags
    return _text_check(field_name, operator, value)


def _text_check(field_name: str, operator: str, value: str) -> Check:
    needle = value.strip().casefold()

    def read(facts: Facts) -> str:
        return facts.folded(field_name)

    if operator == Operator.MATCHES:
        pattern = re.compile(value, re.IGNORECASE)
        return lambda facts: pattern.search(facts.value(field_name)) is not None
    if operator == Operator.ANY_WORD:
        return _any_word_check(field_name, value)
    if operator == Operator.IN:
        options = set(split_values(value))
        return lambda facts: read(facts) in options
    simple: dict[str, Callable[[str], bool]] = {
        Operator.IS: lambda text: text == needle,
        Operator.IS_NOT: lambda text: text != needle,
        Operator.CONTAINS: lambda text: needle in text,
        Operator.NOT_CONTAINS: lambda text: needle not in text,
        Operator.STARTS_WITH: lambda text: text.startswith(needle),
        Operator.ENDS_WITH: lambda text: text.endswith(needle),
    }
    test = simple[operator]
    return lambda facts: test(read(facts))


def _any_word_check(field_name: str, value: str) -> Check:
    """Whole words, looked up in the text's set of words; a phrase ("log in") as a whole-word search."""
    entries = [entry.strip().casefold() for entry in re.split(r"[,\n]+", value) if entry.strip()]
    words = frozenset(e for e in entries if _WORD.fullmatch(e))
    phrases = [e for e in entries if e not in words]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b") if phrases else None

    def check(facts: Facts) -> bool:
        if not words.isdisjoint(facts.words(field_name)):
            return True
        return pattern is not None and pattern.search(facts.folded(field_name)) is not None

    return check
