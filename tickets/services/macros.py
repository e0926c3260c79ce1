import re

from tickets.models import Macro, Ticket

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def render_macro(*, macro: Macro, ticket: Ticket, agent) -> str:
    """The macro's text with its placeholders filled in; unknown placeholders are left visible."""
    name = ticket.customer.name or ""
    values = {
        "customer.name": name,
        "customer.first_name": name.split(" ")[0] if name else "",
        "ticket.number": str(ticket.number),
        "ticket.subject": ticket.subject,
        "agent.name": agent.display_name,
        "agent.first_name": agent.first_name or agent.display_name,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), macro.body)
