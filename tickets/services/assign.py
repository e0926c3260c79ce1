"""Automatic assignment: which online agent with room gets a waiting ticket of an auto-assign team.

Entry points:
- `assign(ticket_ids)`: right after a ticket arrives in a team (services ask for it after their
  commit with `assign_after_commit`; Celery runs it).
- `assign_waiting()`: every minute and when an agent comes online, the backlog nobody could take.
- `reassign_offline()`: every minute, tickets of agents offline for longer than their team allows.
- `set_presence(user, presence)`: agents say whether they take work (only ONLINE agents get tickets).

Lock order: tickets first (pk order, as tickets/services/update.py and sla.py take them), then the
agent profiles (pk order). An agent's load is counted only while their profile is locked, so two
workers assigning at once see each other's assignments and never fill an agent past capacity.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from helpdesk.models import User
from helpdesk.realtime import publish_many
from helpdesk.roles import Role, can_reply_publicly, is_staff_member
from tickets import events, timeline
from tickets.bulk import insert_rows, update_rows
from tickets.locks import tickets_for_update
from tickets.models import AgentProfile, Presence, Status, Team, Ticket, TicketEvent
from tickets.rules.business_hours import is_open

# Tickets that wait for someone to work them; pending and on-hold ones wait for the customer.
WAITING = [Status.NEW, Status.OPEN]
_AUTOMATIC = [Team.Assignment.ROUND_ROBIN, Team.Assignment.LEAST_LOADED]
_NEVER = datetime.min.replace(tzinfo=UTC)
_TICK = timedelta(microseconds=1)


@dataclass(slots=True)
class _Agent:
    profile: AgentProfile
    load: int
    languages: frozenset[str]
    skills: frozenset[int]

    @property
    def has_room(self) -> bool:
        return self.load < self.profile.capacity


def assign_after_commit(ticket_ids: Iterable[int]) -> None:
    """Have these tickets assigned once the current transaction commits."""
    ids = sorted(set(ticket_ids))
    if ids:
        from tickets.tasks import assign_tickets_task  # tasks import the services

        transaction.on_commit(lambda: assign_tickets_task.delay(ids), robust=True)


def assign(*, ticket_ids: list[int], now: datetime | None = None) -> dict[int, int]:
    """Give each waiting, unassigned ticket of an auto-assign team to an available agent of its team.

    Returns ticket id -> user id of the tickets assigned; the others stay unassigned for
    `assign_waiting`. Locks the tickets, then the candidates' profiles (see the module docstring).
    """
    now = now or timezone.now()
    with transaction.atomic():
        tickets = [
            t
            for t in tickets_for_update(*ticket_ids)
            # Checked under the lock: another worker or an agent may have taken it meanwhile.
            if t.status in WAITING and t.assignee_id is None and t.merged_into_id is None and t.team_id
        ]
        if not tickets:
            return {}
        return _assign_locked(tickets, now, taken_from={})


def assign_waiting(*, now: datetime | None = None, limit: int = 500, team_ids: list[int] | None = None) -> int:
    """Assign the oldest waiting tickets of auto-assign teams (or of `team_ids`) to agents with room.

    Returns how many were assigned. Nobody online with room costs three small queries and reads no
    ticket. Tickets another sweep holds are skipped, so two sweeps share the backlog.
    """
    now = now or timezone.now()
    teams = Team.objects.filter(assignment__in=_AUTOMATIC)
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    # A first look without locks, only to know whether anyone can take work; assign() decides.
    agents = _agents_by_team(list(teams.values_list("pk", flat=True)), now, lock=False)
    available = {team_id: [a for a in members if a.has_room] for team_id, members in agents.items()}
    available = {team_id: members for team_id, members in available.items() if members}
    if not available:
        return 0
    room = sum({a.profile.pk: a.profile.capacity - a.load for m in available.values() for a in m}.values())
    with transaction.atomic():
        waiting = (
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(team_id__in=available, assignee__isnull=True, status__in=WAITING, merged_into__isnull=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        )
        # No more tickets than there are free places: a long backlog is not locked for nothing.
        ids = list(waiting[: min(limit, room)])
        return len(assign(ticket_ids=ids, now=now)) if ids else 0


def reassign_offline(*, now: datetime | None = None) -> int:
    """Take the waiting tickets of agents offline longer than their team's `reassign_offline_minutes`
    and give them to available agents (or leave them unassigned for the team); returns how many.

    Agents who never set a presence (no `presence_changed_at`) are left alone: they don't use it.
    Skips tickets another worker holds; a second run finds nothing more to do. Locks as `assign`.
    """
    now = now or timezone.now()
    delays = dict(
        Team.objects.filter(reassign_offline_minutes__isnull=False).values_list("pk", "reassign_offline_minutes")
    )
    if not delays:
        return 0
    offline_too_long = Q()
    for team_id, minutes in delays.items():
        cutoff = now - timedelta(minutes=minutes)
        offline_too_long |= Q(team_id=team_id, assignee__agent_profile__presence_changed_at__lte=cutoff)
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee")
            .filter(
                offline_too_long,
                assignee__agent_profile__presence=Presence.OFFLINE,
                status__in=WAITING,
                merged_into__isnull=True,
            )
            .order_by("pk")
        )
        taken_from: dict[int, tuple[User, str]] = {}
        for ticket in tickets:
            reason = f"{ticket.assignee.display_name} has been offline for over {delays[ticket.team_id]} minutes"
            taken_from[ticket.pk] = (ticket.assignee, reason)
            ticket.assignee = None
        if tickets:
            _assign_locked(tickets, now, taken_from=taken_from)
    return len(tickets)


def set_presence(user: User, presence: str) -> AgentProfile:
    """Record whether the agent takes work now; coming online hands them waiting tickets.

    Creates the profile on first use. `presence_changed_at` moves only on a real change, since
    `reassign_offline` measures from it.
    """
    if not is_staff_member(user):
        raise PermissionDenied("Only helpdesk staff have a presence.")
    if presence not in Presence.values:
        raise ValidationError({"presence": f"{presence!r} is not one of {', '.join(Presence.values)}."})
    with transaction.atomic():
        profile, _ = AgentProfile.objects.select_for_update().get_or_create(user=user)
        if profile.presence != presence:
            profile.presence, profile.presence_changed_at = presence, timezone.now()
            profile.save(update_fields=["presence", "presence_changed_at"])
            if presence == Presence.ONLINE and can_reply_publicly(user):
                team_ids = list(user.teams.filter(assignment__in=_AUTOMATIC).values_list("pk", flat=True))
                if team_ids:
                    from tickets.tasks import assign_waiting_task

                    transaction.on_commit(lambda: assign_waiting_task.delay(team_ids=team_ids), robust=True)
    return profile


def agent_profile_of(user: User) -> AgentProfile:
    """The agent's profile, or an unsaved default one (offline) if they never had one. One query."""
    return AgentProfile.objects.filter(pk=user.pk).first() or AgentProfile(user=user)


def _assign_locked(tickets: list[Ticket], now: datetime, *, taken_from: dict[int, tuple[User, str]]) -> dict[int, int]:
    """Choose agents for locked, unassigned tickets; write tickets, profiles, timeline and notices.

    `taken_from` maps a ticket to the agent it was taken from and why: it changes even if nobody
    takes it now. The caller holds the ticket locks; the profile locks are taken here.
    """
    teams = Team.objects.in_bulk({t.team_id for t in tickets})
    for ticket in tickets:
        ticket.team = teams[ticket.team_id]  # the timeline names the team: no query per ticket
    auto = [t for t in tickets if t.team.assignment in _AUTOMATIC]
    agents = _agents_by_team(list({t.team_id for t in auto}), now, lock=True) if auto else {}
    tags: dict[int, set[int]] = {}
    if agents:
        through = Ticket.tags.through.objects.filter(ticket_id__in=[t.pk for t in auto])
        for ticket_id, tag_id in through.values_list("ticket_id", "tag_id"):
            tags.setdefault(ticket_id, set()).add(tag_id)

    assigned: dict[int, int] = {}
    touched: dict[int, AgentProfile] = {}
    changed: list[Ticket] = []
    rows: list[TicketEvent] = []
    notices: list[tuple[list[str], dict]] = []
    # Stamps rise within one call, so round-robin keeps turning when it assigns many tickets at once.
    stamp = now
    # Oldest first, so the longest wait gets the last free place.
    for ticket in sorted(tickets, key=lambda t: (t.created_at, t.pk)):
        agent = _choose(ticket, agents.get(ticket.team_id, []), tags.get(ticket.pk, set()))
        previous, reason = taken_from.get(ticket.pk, (None, ""))
        if agent is None and previous is None:
            continue
        if agent is not None:
            ticket.assignee = agent.profile.user
            agent.load += 1
            agent.profile.last_assigned_at, stamp = stamp, stamp + _TICK
            touched[agent.profile.pk] = agent.profile
            assigned[ticket.pk] = ticket.assignee.pk
        ticket.updated_at = now
        changed.append(ticket)
        row = timeline.ticket_assigned_event(ticket=ticket, actor=None, old_assignee=previous, old_team=ticket.team)
        if reason:
            row.data["reason"] = reason
        rows.append(row)
        summary = (
            f"#{ticket.pk} was assigned to {ticket.assignee.display_name}"
            if agent
            else f"#{ticket.pk} was unassigned: {reason}"
        )
        notices.append(
            (events.groups_for(ticket), events.ticket_changed(ticket, type="ticket.updated", summary=summary))
        )
    update_rows(changed, ["assignee", "updated_at"])
    update_rows(list(touched.values()), ["last_assigned_at"])
    insert_rows(rows)
    publish_many(notices)
    return assigned


def _agents_by_team(team_ids: list[int], now: datetime, *, lock: bool) -> dict[int, list[_Agent]]:
    """The members of each team who may get tickets now: admins and agents, active, online, in
    their working hours, with their current load. Full agents are included (has_room is False).

    Queries do not grow with the number of agents or teams. With `lock`, the profiles are locked
    (pk order) before their load is counted: see the module docstring.
    """
    members = list(Team.members.through.objects.filter(team_id__in=team_ids).values_list("team_id", "user_id"))
    if not members:
        return {}
    profiles = AgentProfile.objects.filter(
        pk__in={user_id for _, user_id in members},
        presence=Presence.ONLINE,
        capacity__gt=0,
        user__is_active=True,
        user__role__in=[Role.ADMIN, Role.AGENT],
    )
    if lock:
        profiles = profiles.select_for_update(of=("self",))
    profiles = profiles.select_related("user", "calendar").prefetch_related("calendar__hours", "calendar__holidays")
    working = [p for p in profiles.order_by("pk") if p.calendar is None or is_open(p.calendar, now)]
    if not working:
        return {}
    ids = [p.pk for p in working]
    loads = dict(
        Ticket.objects.filter(assignee_id__in=ids, status__in=WAITING)
        .order_by()
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
    )
    skills: dict[int, set[int]] = {}
    through = AgentProfile.skills.through.objects.filter(agentprofile_id__in=ids)
    for profile_id, tag_id in through.values_list("agentprofile_id", "tag_id"):
        skills.setdefault(profile_id, set()).add(tag_id)
    agents = {
        p.pk: _Agent(
            profile=p,
            load=loads.get(p.pk, 0),
            languages=frozenset(_language(str(code)) for code in p.languages or []),
            skills=frozenset(skills.get(p.pk, ())),
        )
        for p in working
    }
    by_team: dict[int, list[_Agent]] = {}
    for team_id, user_id in members:
        if user_id in agents:
            by_team.setdefault(team_id, []).append(agents[user_id])
    return by_team


def _choose(ticket: Ticket, agents: list[_Agent], tags: set[int]) -> _Agent | None:
    """The agent with room who fits best: speaks the ticket's language, then knows the most of its
    tags (all of them when someone does); preferences only, so a ticket never waits for a skill."""
    pool = [a for a in agents if a.has_room]
    if not pool:
        return None
    if ticket.language:
        language = _language(ticket.language)
        pool = [a for a in pool if language in a.languages] or pool
    if tags:
        best = max(len(tags & a.skills) for a in pool)
        if best:
            pool = [a for a in pool if len(tags & a.skills) == best]
    if ticket.team.assignment == Team.Assignment.LEAST_LOADED:
        return min(pool, key=lambda a: (Fraction(a.load, a.profile.capacity), *_turn(a)))
    return min(pool, key=_turn)


def _turn(agent: _Agent) -> tuple[bool, datetime, int]:
    """Round-robin order: never assigned first, then the longest since their last ticket."""
    stamp = agent.profile.last_assigned_at
    return (stamp is not None, stamp or _NEVER, agent.profile.pk)


def _language(code: str) -> str:
    """The primary language of a code ("de-AT" -> "de"): a German speaker answers Austrians too."""
    return code.strip().lower().replace("_", "-").partition("-")[0]
