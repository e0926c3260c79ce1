"""The customer's satisfaction answer on the agent's ticket page."""

from django import template

from surveys.selectors import csat_for_ticket

register = template.Library()


@register.inclusion_tag("surveys/_ticket_csat.html")
def csat_panel(ticket) -> dict:
    return {"csat": csat_for_ticket(ticket)}
