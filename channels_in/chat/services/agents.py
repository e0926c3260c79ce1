"""The agents' side: offering a chat (capacity, round-robin), accept, transfer, end, idle timeout."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from channels_in.chat import events, selectors
from channels_in.chat.models import ChatSession
from channels_in.chat.services.status import status_frame
from helpdesk.models import User
from helpdesk.realtime import publish_many
from helpdesk.roles import can_reply_publicly, is_admin
from tickets import events as ticket_events
from tickets.models import AgentProfile, Team
from tickets.services import update_ticket

# An offer nobody accepts within this time goes to the next agent (offer_waiting, every few seconds).
OFFER_TIMEOUT = timedelta(seconds=30)
# A chat without a message either way for this long ends (end_idle): the visitor has most likely left,
# so later replies go by e-mail if they gave an address, and the agent's place is freed.
IDLE_TIMEOUT = timedelta(minutes=30)
_NEVER = datetime.min.replace(tzinfo=UTC)

State = ChatSession.State


def offer(*, session: ChatSession, now: datetime | None = None) -> User | None:
    """Offer a waiting chat to the online agent of its team with chat room whose turn it is
    (round-robin by `last_assigned_at`), or tell the visitor that everyone is busy or nobody is
    online; the ticket waits in the team's queue either way. Returns the agent offered to.

    Locks the session, then the candidates' profiles, and counts their chats under those locks, so
    concurrent offers never give an agent more than `chat_capacity` chats (offers included).
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked(session)
        if session.state != State.WAITING or session.ticket_id is None:
            return None
        profiles = list(
            selectors.chat_agents(session.team_id).select_for_update(of=("self",)).select_related("user").order_by("pk")
        )
        loads = selectors.chat_loads([p.pk for p in profiles], exclude=session.pk)
        pool = [p for p in profiles if loads[p.pk] < p.chat_capacity]
        chosen = min(pool, key=_turn) if pool else None
        previous = session.offered_to_id
        session.offered_to = chosen.user if chosen else None
        session.offered_at = now if chosen else None
        session.save(update_fields=["offered_to", "offered_at"])
        notices = []
        if chosen is not None:
            chosen.last_assigned_at = now
            chosen.save(update_fields=["last_assigned_at"])
            who = session.customer or _("a visitor")
            summary = _("New chat from %(who)s on %(site)s") % {"who": who, "site": session.site.name}
            notices.append(
                ([ticket_events.agent_group(chosen.pk)], events.agent_notice("chat.offer", session, summary=summary))
            )
        if previous and previous != session.offered_to_id:
            notices.append(_withdrawn(session, previous))
        # Someone online but nobody with room: busy; nobody online at all: offline.
        frame = status_frame(session, "waiting", busy=not chosen) if profiles else status_frame(session, "offline")
        notices.append((events.groups(session), frame))
        publish_many(notices)
    return chosen.user if chosen else None


def _turn(profile: AgentProfile) -> tuple[bool, datetime, int]:
    """Round-robin order, as tickets.services.assign: never offered first, then the longest ago."""
    stamp = profile.last_assigned_at
    return (stamp is not None, stamp or _NEVER, profile.pk)


def offer_waiting(*, now: datetime | None = None, team_ids: list[int] | None = None, limit: int = 200) -> int:
    """Offer the chats still waiting for an agent: never offered (nobody had room) or whose offer went
    unanswered for OFFER_TIMEOUT. Returns how many were offered.

    Teams nobody online could take a chat from cost one query each and no lock.
    """
    now = now or timezone.now()
    due = (
        ChatSession.objects.filter(state=State.WAITING, ticket__last_message_at__gte=now - IDLE_TIMEOUT)
        .exclude(offered_at__gt=now - OFFER_TIMEOUT)
        .annotate(chat_team=Coalesce("ticket__team", "site__team"))  # ChatSession.team_id, in SQL
    )
    if team_ids is not None:
        due = due.filter(chat_team__in=team_ids)
    teams = set(due.values_list("chat_team", flat=True).order_by())
    available = [team_id for team_id in teams if selectors.team_online(team_id)]
    if not available:
        return 0
    sessions = due.filter(chat_team__in=available).select_related("site", "ticket").order_by("created_at", "pk")
    return sum(offer(session=s, now=now) is not None for s in sessions[:limit])


def end_idle(*, now: datetime | None = None, limit: int = 500) -> int:
    """End the open chats without a message for IDLE_TIMEOUT; returns how many."""
    cutoff = (now or timezone.now()) - IDLE_TIMEOUT
    idle = ChatSession.objects.filter(state__in=selectors.OPEN).filter(
        Q(ticket__last_message_at__lt=cutoff) | Q(ticket__isnull=True, created_at__lt=cutoff)
    )
    sessions = list(idle.order_by("pk")[:limit])
    for session in sessions:
        end(session=session)
    return len(sessions)


def accept(*, session: ChatSession, agent: User) -> ChatSession:
    """The agent takes a waiting chat; its ticket is assigned to them (timeline: assigned).

    Locks the session, then the ticket (update_ticket).
    """
    with transaction.atomic():
        session = _locked(session)
        team = session.team
        if not can_reply_publicly(agent) or not _in_team(agent, team.pk):
            raise PermissionDenied(f"{agent.display_name} does not answer chats of team {team}.")
        if session.state == State.ACTIVE and session.agent_id == agent.pk:
            return session
        if session.state != State.WAITING or session.ticket_id is None:
            raise ValidationError(_taken(session))
        session.ticket = update_ticket(ticket=session.ticket, by=agent, assignee=agent, team=team)
        _hand_to(session, agent)
    return session


def transfer(
    *, session: ChatSession, by: User, to_agent: User | None = None, to_team: Team | None = None
) -> ChatSession:
    """Hand a chat to another agent (it stays active, now theirs) or to another team (it waits and
    is offered to that team's agents); the ticket follows (update_ticket).

    Locks the session, the ticket, then (to a team) that team's agent profiles.
    """
    if to_agent is None and to_team is None:
        raise ValidationError("Choose an agent or a team to transfer the chat to.")
    with transaction.atomic():
        session = _locked(session)
        _check_handles(session, by)
        if session.state == State.ENDED:
            raise ValidationError(_taken(session))
        team = to_team or session.team
        if to_agent is not None:
            if not can_reply_publicly(to_agent) or not _in_team(to_agent, team.pk):
                raise ValidationError(f"{to_agent.display_name} is not an agent of team {team}.")
            session.ticket = update_ticket(ticket=session.ticket, by=by, assignee=to_agent, team=team)
            _hand_to(session, to_agent)
            return session
        session.ticket = update_ticket(ticket=session.ticket, by=by, assignee=None, team=team)
        session.state, session.agent, session.accepted_at = State.WAITING, None, None
        session.save(update_fields=["state", "agent", "accepted_at"])
        offer(session=session)
    return session


def end(*, session: ChatSession, by: User | None = None) -> ChatSession:
    """End the chat, by its agent, an admin, or the visitor or idle timeout (`by` None); ending twice
    is harmless.

    The ticket stays as it is (agents solve it like any other); the agent's place goes to the next
    waiting chat of the team.
    """
    with transaction.atomic():
        session = _locked(session)
        if by is not None:
            _check_handles(session, by)
        if session.state == State.ENDED:
            return session
        offered_to = session.offered_to_id
        session.state, session.ended_at = State.ENDED, timezone.now()
        session.offered_to, session.offered_at = None, None
        session.save(update_fields=["state", "ended_at", "offered_to", "offered_at"])
        notices = [(events.groups(session), status_frame(session, "ended"))]
        if offered_to:
            notices.append(_withdrawn(session, offered_to))
        publish_many(notices)
        from channels_in.chat.tasks import offer_waiting_chats_task  # tasks import the services

        team_ids = [session.team_id]
        transaction.on_commit(lambda: offer_waiting_chats_task.delay(team_ids=team_ids), robust=True)
    return session


def _hand_to(session: ChatSession, agent: User) -> None:
    """Make the (locked) session the agent's and tell the visitor, the agent and a passed-over offer."""
    offered_to = session.offered_to_id
    session.state, session.agent, session.accepted_at = State.ACTIVE, agent, timezone.now()
    session.offered_to, session.offered_at = None, None
    session.save(update_fields=["state", "agent", "accepted_at", "offered_to", "offered_at"])
    summary = _("Chat with %(who)s is yours") % {"who": session.customer or _("a visitor")}
    notices = [
        (events.groups(session), status_frame(session, "active")),
        ([ticket_events.agent_group(agent.pk)], events.agent_notice("chat.assigned", session, summary=summary)),
    ]
    if offered_to and offered_to != agent.pk:
        notices.append(_withdrawn(session, offered_to))
    publish_many(notices)


def _withdrawn(session: ChatSession, user_id: int) -> tuple[list[str], dict]:
    summary = _("The chat offer on %(site)s was withdrawn") % {"site": session.site.name}
    return [ticket_events.agent_group(user_id)], events.agent_notice("chat.withdrawn", session, summary=summary)


def _locked(session: ChatSession) -> ChatSession:
    return (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("site", "customer", "agent", "ticket")
        .get(pk=session.pk)
    )


def _in_team(user: User, team_id: int) -> bool:
    return user.teams.filter(pk=team_id).exists()


def may_handle(user: User, session: ChatSession) -> bool:
    """The chat's agent, an admin, or (while it waits) any agent of its team."""
    if not can_reply_publicly(user):
        return False
    if is_admin(user) or session.agent_id == user.pk:
        return True
    return session.state == State.WAITING and _in_team(user, session.team_id)


def _check_handles(session: ChatSession, user: User) -> None:
    if not may_handle(user, session):
        raise PermissionDenied(f"{user.display_name} does not handle chat {session.pk}.")


def _taken(session: ChatSession) -> str:
    if session.state == State.ENDED:
        return "This chat has ended."
    if session.state == State.ACTIVE:
        return f"{session.agent.display_name if session.agent else 'Another agent'} already took this chat."
    return "Nobody has written in this chat yet."
