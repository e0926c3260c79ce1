"""How an SLA due time reads in the queue: time left, soon (under an hour) or overdue."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from tickets.services.sla import TARGETS, targets_of

register = template.Library()


@register.inclusion_tag("tickets/_sla_due.html")
def sla_due(due: datetime | None) -> dict:
    if due is None:
        return {"due": None}
    now = timezone.now()
    if due <= now:
        return {"due": due, "css": "overdue", "text": f"{timesince(due, now, depth=1)} overdue"}
    css = "soon" if due - now < timedelta(hours=1) else ""
    return {"due": due, "css": css, "text": f"{timeuntil(due, now, depth=1)} left"}


@register.simple_tag
def sla_targets(ticket) -> list[dict]:
    return targets_of(ticket)


@register.filter
def sla_label(target: str) -> str:
    return TARGETS.get(target, target)
