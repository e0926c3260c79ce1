"""The agent's presence for the top-bar switch (templates/tickets/_presence.html)."""

from django import template

from helpdesk.roles import is_staff_member
from tickets.models import Presence
from tickets.services.assign import agent_profile_of

register = template.Library()


@register.simple_tag
def presence_of(user) -> dict | None:
    """Current presence and the choices, in one query; None for anyone who is not staff (no switch)."""
    if not is_staff_member(user):
        return None
    return {"value": agent_profile_of(user).presence, "choices": Presence.choices}
