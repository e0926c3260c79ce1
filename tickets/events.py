"""Real-time event payloads pushed to agents over Channels, and the groups they go to.

Persisted timeline rows are tickets/timeline.py; these are transient notifications.
"""

from collections.abc import Iterable
from typing import TypedDict

AGENTS_GROUP = "agents"


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def agent_group(user_id: int) -> str:
    return f"agent.{user_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


class TicketChanged(TypedDict):
    type: str  # "ticket.created" | "ticket.message" | "ticket.updated"
    ticket: int
    subject: str
    status: str
    channel: str
    team: int | None
    assignee: int | None
    summary: str


def ticket_changed(ticket, *, type: str, summary: str) -> TicketChanged:
    return TicketChanged(
        type=type,
        ticket=ticket.pk,
        subject=ticket.subject,
        status=ticket.status,
        channel=ticket.channel,
        team=ticket.team_id,
        assignee=ticket.assignee_id,
        summary=summary,
    )


class TicketsSummary(TypedDict):
    type: str  # "tickets.sla"
    summary: str


def tickets_summary(*, type: str, summary: str) -> TicketsSummary:
    """One notice standing for many tickets (a mass SLA breach); it links to the queue."""
    return TicketsSummary(type=type, summary=summary)


def groups_for(ticket, *, watchers: bool = True, followers: Iterable[int] = ()) -> list[str]:
    """Who hears about a ticket: its watchers, its team (or every agent if it has none), its
    assignee, and the `followers` given (user ids; the caller reads them, in bulk).

    Without `watchers` for a new ticket (nobody could open it before it was committed) and for SLA
    notices (they are for whoever must act).
    """
    groups = [ticket_group(ticket.pk)] if watchers else []
    groups.append(team_group(ticket.team_id) if ticket.team_id else AGENTS_GROUP)
    if ticket.assignee_id:
        groups.append(agent_group(ticket.assignee_id))
    groups += [agent_group(user_id) for user_id in followers if user_id != ticket.assignee_id]
    return groups


def followers_of(ticket_ids: Iterable[int]) -> dict[int, list[int]]:
    """Ticket id -> the user ids following it, in one query."""
    from tickets.models import Ticket

    found: dict[int, list[int]] = {}
    rows = Ticket.followers.through.objects.filter(ticket_id__in=list(ticket_ids)).values_list("ticket_id", "user_id")
    for ticket_id, user_id in rows:
        found.setdefault(ticket_id, []).append(user_id)
    return found
