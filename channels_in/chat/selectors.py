"""Read-only queries of the chat: who is online for a team, a visitor's current chat, an agent's chats."""

from collections import Counter

from django.db.models import Q, QuerySet

from channels_in.chat.models import ChatSession
from customers.models import Identity, IdentityKind
from helpdesk.roles import Role
from tickets.models import AgentProfile, Presence

OPEN = [ChatSession.State.WAITING, ChatSession.State.ACTIVE]


def chat_agents(team_id: int) -> QuerySet[AgentProfile]:
    """Profiles of the team's agents who take chats now: online, active, allowed to answer, with a capacity."""
    return AgentProfile.objects.filter(
        user__teams=team_id,
        presence=Presence.ONLINE,
        chat_capacity__gt=0,
        user__is_active=True,
        user__role__in=[Role.ADMIN, Role.AGENT],
    )


def team_online(team_id: int) -> bool:
    return chat_agents(team_id).exists()


def chat_loads(user_ids: list[int], *, exclude: int | None = None) -> Counter[int]:
    """Chats each agent holds: active ones and offers not yet answered (both take a place)."""
    rows = (
        ChatSession.objects.filter(
            Q(state=ChatSession.State.ACTIVE, agent_id__in=user_ids)
            | Q(state=ChatSession.State.WAITING, offered_to_id__in=user_ids)
        )
        .exclude(pk=exclude)
        .order_by()
        .values_list("state", "agent_id", "offered_to_id")
    )
    return Counter(agent if state == ChatSession.State.ACTIVE else offered for state, agent, offered in rows)


def current_session(*, site, visitor: str) -> ChatSession | None:
    """The visitor's latest chat on the site, open or ended: what the widget shows."""
    return (
        ChatSession.objects.select_related("site", "agent", "customer", "ticket")
        .filter(site=site, visitor=visitor)
        .order_by("-created_at", "-pk")
        .first()
    )


def session_for_ticket(ticket_id: int) -> ChatSession | None:
    """The latest chat on a ticket: where an agent's reply goes."""
    return (
        ChatSession.objects.select_related("site", "agent", "customer", "ticket")
        .filter(ticket_id=ticket_id)
        .order_by("-created_at", "-pk")
        .first()
    )


def agent_chats(user_id: int) -> list[ChatSession]:
    """The agent's active chats and the offers waiting for their answer."""
    return list(
        ChatSession.objects.select_related("site", "customer")
        .filter(
            Q(state=ChatSession.State.ACTIVE, agent_id=user_id)
            | Q(state=ChatSession.State.WAITING, offered_to_id=user_id)
        )
        .order_by("created_at", "pk")
    )


def customer_email(customer_id: int | None) -> str:
    """The customer's newest e-mail address, or "" (an anonymous visitor)."""
    if customer_id is None:
        return ""
    found = (
        Identity.objects.filter(customer_id=customer_id, kind=IdentityKind.EMAIL)
        .order_by("-created_at", "-pk")
        .values_list("address", flat=True)
        .first()
    )
    return found or ""


def visitor_customer_id(visitor: str) -> int | None:
    return (
        Identity.objects.filter(kind=IdentityKind.CHAT_VISITOR, address=visitor)
        .values_list("customer_id", flat=True)
        .first()
    )
