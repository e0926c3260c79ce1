"""Automatic assignment: who gets a waiting ticket, presence, the backlog sweep, offline reassignment."""

import contextlib
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import TeamFactory, TicketFactory, UserFactory
from tickets.models import AgentProfile, BusinessCalendar, BusinessHours, Presence, Status, Tag, Team, Ticket
from tickets.services import assign
from tickets.tasks import assign_tickets_task, assign_waiting_task, reassign_offline_task

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ROUND_ROBIN, LEAST_LOADED = Team.Assignment.ROUND_ROBIN, Team.Assignment.LEAST_LOADED
PRESENCE_API = "/api/v1/me/presence/"


def online(user, **fields) -> AgentProfile:
    fields = {"presence": Presence.ONLINE, "presence_changed_at": MONDAY_10 - timedelta(hours=1)} | fields
    return AgentProfile.objects.create(user=user, **fields)


def waiting(team, n: int = 1, **fields) -> list[Ticket]:
    return [TicketFactory(team=team, **fields) for _ in range(n)]


def assignees(tickets: list[Ticket]) -> list[str | None]:
    by_pk = Ticket.objects.select_related("assignee").in_bulk([t.pk for t in tickets])
    return [by_pk[t.pk].assignee.username if by_pk[t.pk].assignee else None for t in tickets]


@pytest.fixture
def round_robin(team_support):
    team_support.assignment = ROUND_ROBIN
    team_support.save()
    return team_support


# ---- who gets the ticket -----------------------------------------------------------------------


def test_round_robin_takes_turns_and_remembers_whose_turn_it_is(round_robin, agent_alice, agent_bob_same_team):
    online(agent_alice)
    online(agent_bob_same_team)
    tickets = waiting(round_robin, 3)

    result = assign.assign(ticket_ids=[t.pk for t in tickets], now=MONDAY_10)

    assert assignees(tickets) == ["alice", "bob", "alice"]
    assert result == {
        tickets[0].pk: agent_alice.pk,
        tickets[1].pk: agent_bob_same_team.pk,
        tickets[2].pk: agent_alice.pk,
    }
    # A later call goes on from there: bob has waited longest.
    later = waiting(round_robin)
    assign.assign(ticket_ids=[later[0].pk], now=MONDAY_10 + timedelta(minutes=1))
    assert assignees(later) == ["bob"]


def test_least_loaded_goes_to_the_agent_with_the_smallest_share_of_capacity(
    team_support, agent_alice, agent_bob_same_team
):
    team_support.assignment = LEAST_LOADED
    team_support.save()
    online(agent_alice, capacity=10)
    online(agent_bob_same_team, capacity=2)
    waiting(team_support, 4, assignee=agent_alice, status=Status.OPEN)  # 4/10
    tickets = waiting(team_support, 2)

    assign.assign(ticket_ids=[t.pk for t in tickets], now=MONDAY_10)

    assert assignees(tickets) == ["bob", "alice"]  # bob 0/2 first, then alice 4/10 beats bob's 1/2


def test_a_full_agent_gets_nothing_and_the_ticket_waits(round_robin, agent_alice):
    online(agent_alice, capacity=1)
    waiting(round_robin, assignee=agent_alice, status=Status.OPEN)
    ticket = waiting(round_robin)[0]

    assert assign.assign(ticket_ids=[ticket.pk], now=MONDAY_10) == {}
    assert assignees([ticket]) == [None]


def test_tickets_waiting_on_the_customer_do_not_count_as_load(round_robin, agent_alice):
    online(agent_alice, capacity=1)
    waiting(round_robin, assignee=agent_alice, status=Status.PENDING)
    ticket = waiting(round_robin)[0]

    assign.assign(ticket_ids=[ticket.pk], now=MONDAY_10)

    assert assignees([ticket]) == ["alice"]


def test_capacity_holds_within_one_call(round_robin, agent_alice):
    online(agent_alice, capacity=2)
    tickets = waiting(round_robin, 3)

    assign.assign(ticket_ids=[t.pk for t in tickets], now=MONDAY_10)

    assert assignees(tickets) == ["alice", "alice", None]  # the oldest first


def test_only_online_active_agents_of_the_team_are_candidates(
    round_robin, agent_alice, agent_bob_same_team, agent_carl_other_team, light_agent
):
    online(agent_alice, presence=Presence.AWAY)
    online(agent_bob_same_team, presence=Presence.OFFLINE)
    online(agent_carl_other_team)  # online, but in Billing
    online(light_agent)  # light agents do not work tickets
    gone = UserFactory(username="gone", is_active=False)
    round_robin.members.add(gone)
    online(gone)
    ticket = waiting(round_robin)[0]

    assert assign.assign(ticket_ids=[ticket.pk], now=MONDAY_10) == {}


def test_an_agent_outside_working_hours_gets_nothing(round_robin, agent_alice, agent_bob_same_team):
    office = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Copenhagen")
    BusinessHours.objects.create(calendar=office, weekday=0, opens=time(9), closes=time(17))
    online(agent_alice, calendar=office)  # alice would have the first turn
    online(agent_bob_same_team)
    evening, morning = waiting(round_robin), waiting(round_robin)

    assign.assign(ticket_ids=[evening[0].pk], now=datetime(2026, 11, 23, 18, 0, tzinfo=UTC))  # 19:00 there
    assign.assign(ticket_ids=[morning[0].pk], now=MONDAY_10)  # 11:00 there

    assert assignees(evening + morning) == ["bob", "alice"]


def test_the_ticket_language_picks_a_speaker_and_falls_back_to_anyone(round_robin, agent_alice, agent_bob_same_team):
    online(agent_alice, languages=["en"])
    online(agent_bob_same_team, languages=["en", "DE"])
    german = waiting(round_robin, language="de-AT")
    finnish = waiting(round_robin, language="fi")

    assign.assign(ticket_ids=[german[0].pk], now=MONDAY_10)
    assign.assign(ticket_ids=[finnish[0].pk], now=MONDAY_10 + timedelta(minutes=1))

    assert assignees(german + finnish) == ["bob", "alice"]  # nobody speaks Finnish: the next turn


def test_tags_pick_the_agent_with_the_most_matching_skills(round_robin, agent_alice, agent_bob_same_team):
    billing, refunds, printers = (Tag.objects.create(name=n) for n in ("billing", "refunds", "printers"))
    online(agent_alice).skills.add(billing)
    online(agent_bob_same_team).skills.add(billing, refunds)
    refund, printer = waiting(round_robin, 2)
    refund.tags.add(billing, refunds)
    printer.tags.add(printers)  # nobody has that skill

    assign.assign(ticket_ids=[refund.pk], now=MONDAY_10)
    assign.assign(ticket_ids=[printer.pk], now=MONDAY_10 + timedelta(minutes=1))

    assert assignees([refund, printer]) == ["bob", "alice"]


def test_manual_teams_and_tickets_that_do_not_wait_are_left_alone(
    team_support, team_billing, agent_alice, agent_carl_other_team
):
    online(agent_alice)
    online(agent_carl_other_team)
    manual = waiting(team_support)
    team_billing.assignment = ROUND_ROBIN
    team_billing.save()
    pending = waiting(team_billing, status=Status.PENDING)
    taken = waiting(team_billing, assignee=agent_alice)
    merged = waiting(team_billing, merged_into=taken[0])
    no_team = waiting(None)
    tickets = manual + pending + taken + merged + no_team

    assert assign.assign(ticket_ids=[t.pk for t in tickets], now=MONDAY_10) == {}
    assert assignees(tickets) == [None, None, "alice", None, None]


def test_an_assignment_writes_the_timeline_and_tells_the_agent(
    round_robin, agent_alice, captured_events, django_capture_on_commit_callbacks
):
    online(agent_alice)
    ticket = waiting(round_robin)[0]

    with django_capture_on_commit_callbacks(execute=True):
        assign.assign(ticket_ids=[ticket.pk])

    (event,) = ticket.events.all()
    assert event.kind == "assigned" and event.actor is None  # the system
    assert event.data["to_assignee"] == "Alice Agent" and event.data["to_team"] == "Support"
    assert [group for group, _ in captured_events] == [
        f"ticket.{ticket.pk}",
        f"team.{round_robin.pk}",
        f"agent.{agent_alice.pk}",
    ]
    assert captured_events[0][1]["summary"] == f"#{ticket.pk} was assigned to Alice Agent"
    assert captured_events[0][1]["assignee"] == agent_alice.pk
    ticket.refresh_from_db()
    assert ticket.updated_at > ticket.created_at
    assert AgentProfile.objects.get(pk=agent_alice.pk).last_assigned_at is not None


def test_assign_after_commit_runs_the_task_once_committed(round_robin, agent_alice, django_capture_on_commit_callbacks):
    online(agent_alice)
    ticket = waiting(round_robin)[0]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assign.assign_after_commit([ticket.pk, ticket.pk])
    assert assignees([ticket]) == [None]  # nothing before the commit
    for callback in callbacks:
        callback()

    assert assignees([ticket]) == ["alice"]


def test_the_task_assigns_by_id(round_robin, agent_alice):
    online(agent_alice)
    ticket = waiting(round_robin)[0]

    assert assign_tickets_task(ticket_ids=[ticket.pk]) == 1
    assert assign_tickets_task(ticket_ids=[ticket.pk]) == 0  # redelivered: already done


def test_query_count_does_not_grow_with_the_tickets(round_robin, agent_alice, agent_bob_same_team):
    office = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    BusinessHours.objects.create(calendar=office, weekday=0, opens=time(9), closes=time(17))
    online(agent_alice, calendar=office, capacity=50, languages=["en"]).skills.add(Tag.objects.create(name="billing"))
    online(agent_bob_same_team)

    def queries(n: int) -> int:
        tickets = waiting(round_robin, n)
        for ticket in tickets:
            ticket.tags.add(Tag.objects.get(name="billing"))
        with CaptureQueriesContext(connection) as ctx:
            assert len(assign.assign(ticket_ids=[t.pk for t in tickets], now=MONDAY_10)) == n
        return len(ctx.captured_queries)

    assert queries(1) == queries(20)


# ---- the backlog and presence ------------------------------------------------------------------


def test_the_sweep_is_cheap_when_nobody_can_take_work(round_robin, agent_alice, django_assert_max_num_queries):
    online(agent_alice, presence=Presence.OFFLINE)
    waiting(round_robin, 5)

    with django_assert_max_num_queries(3):  # teams, members, online profiles: no ticket is read
        assert assign.assign_waiting(now=MONDAY_10) == 0


def test_an_agent_coming_online_gets_the_oldest_waiting_tickets(
    round_robin, team_billing, agent_alice, django_capture_on_commit_callbacks
):
    AgentProfile.objects.create(user=agent_alice, capacity=2)
    tickets = waiting(round_robin, 3)
    team_billing.assignment = ROUND_ROBIN
    team_billing.save()
    billing = waiting(team_billing)

    with django_capture_on_commit_callbacks(execute=True):
        assign.set_presence(agent_alice, Presence.ONLINE)

    assert assignees(tickets) == ["alice", "alice", None]
    assert assignees(billing) == [None]  # not alice's team


def test_the_beat_sweep_assigns_what_waited(round_robin, agent_alice):
    tickets = waiting(round_robin, 2)
    online(agent_alice)

    assert assign_waiting_task() == 2
    assert assignees(tickets) == ["alice", "alice"]
    assert assign_waiting_task() == 0


def test_set_presence_creates_the_profile_and_stamps_only_changes(agent_alice):
    profile = assign.set_presence(agent_alice, Presence.AWAY)
    stamped = profile.presence_changed_at
    assert profile.presence == "away" and stamped is not None

    again = assign.set_presence(agent_alice, Presence.AWAY)
    assert again.presence_changed_at == stamped


def test_set_presence_refuses_customers_and_unknown_values(agent_alice, customer_dana):
    with pytest.raises(PermissionDenied):
        assign.set_presence(customer_dana.user, Presence.ONLINE)
    with pytest.raises(ValidationError):
        assign.set_presence(agent_alice, "busy")
    assert not AgentProfile.objects.exists()


# ---- offline reassignment ----------------------------------------------------------------------


@pytest.fixture
def alice_went_offline(round_robin, agent_alice, agent_bob_same_team):
    round_robin.reassign_offline_minutes = 30
    round_robin.save()
    online(agent_alice, presence=Presence.OFFLINE, presence_changed_at=MONDAY_10 - timedelta(minutes=31))
    online(agent_bob_same_team)
    return round_robin


def test_an_agent_offline_too_long_loses_waiting_tickets_to_others(
    alice_went_offline, agent_alice, agent_bob_same_team, captured_events, django_capture_on_commit_callbacks
):
    open_ones = waiting(alice_went_offline, 2, assignee=agent_alice, status=Status.OPEN)
    pending = waiting(alice_went_offline, assignee=agent_alice, status=Status.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        assert assign.reassign_offline(now=MONDAY_10) == 2

    assert assignees(open_ones + pending) == ["bob", "bob", "alice"]
    event = open_ones[0].events.get()
    assert event.data["from_assignee"] == "Alice Agent"
    assert event.data["to_assignee"] == agent_bob_same_team.display_name
    assert event.data["reason"] == "Alice Agent has been offline for over 30 minutes"
    assert captured_events[0][1]["summary"] == f"#{open_ones[0].pk} was assigned to {agent_bob_same_team.display_name}"
    # Run again (the next minute, or a second worker): nothing left to do.
    assert reassign_offline_task() == 0
    assert open_ones[0].events.count() == 1


def test_nobody_available_leaves_the_ticket_unassigned_for_the_team(
    alice_went_offline, agent_alice, agent_bob_same_team
):
    AgentProfile.objects.filter(user=agent_bob_same_team).update(presence=Presence.AWAY)
    ticket = waiting(alice_went_offline, assignee=agent_alice)[0]

    assert assign.reassign_offline(now=MONDAY_10) == 1

    assert assignees([ticket]) == [None]
    assert ticket.events.get().data["reason"] == "Alice Agent has been offline for over 30 minutes"


def test_a_short_absence_or_an_unused_presence_keeps_the_tickets(alice_went_offline, agent_alice, agent_bob_same_team):
    ticket = waiting(alice_went_offline, assignee=agent_alice)[0]
    carol = UserFactory(username="carol")
    alice_went_offline.members.add(carol)
    AgentProfile.objects.create(user=carol)  # never set a presence
    hers = waiting(alice_went_offline, assignee=carol)[0]

    assert assign.reassign_offline(now=MONDAY_10 - timedelta(minutes=2)) == 0  # offline for 29 minutes
    assert assignees([ticket, hers]) == ["alice", "carol"]


# ---- concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_fill_an_agent_past_capacity(monkeypatch):
    team = TeamFactory(name="Rush", assignment=ROUND_ROBIN)
    agent = UserFactory(username="solo")
    team.members.add(agent)
    online(agent, capacity=3)
    ids = [t.pk for t in waiting(team, 8)]
    start = threading.Barrier(2)
    # Each worker waits (up to 1 s) after counting loads for the other to count too: without the
    # profile lock both would count 0 and fill the agent twice; with it the second one waits on the
    # lock until the first commits, so this rendezvous times out and it counts the first's tickets.
    counted = threading.Barrier(2)
    count_loads = assign._agents_by_team

    def count_then_wait(*args, **kwargs):
        agents = count_loads(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait(timeout=1)
        return agents

    monkeypatch.setattr(assign, "_agents_by_team", count_then_wait)
    results: list[dict] = []
    errors: list[BaseException] = []

    def worker(ticket_ids: list[int]) -> None:
        try:
            start.wait(timeout=10)
            results.append(assign.assign(ticket_ids=ticket_ids))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(half,)) for half in (ids[0::2], ids[1::2])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sum(len(r) for r in results) == 3
    assert Ticket.objects.filter(assignee=agent).count() == 3


# ---- presence over the API and in the top bar ----------------------------------------------------


def test_api_reads_and_sets_the_agents_presence(api, agent_alice):
    api.as_user(agent_alice)

    assert api.get(PRESENCE_API).json() == {"presence": "offline", "presence_changed_at": None}
    response = api.put(PRESENCE_API, {"presence": "online"}, format="json")

    assert response.status_code == 200 and response.json()["presence"] == "online"
    assert api.get(PRESENCE_API).json()["presence"] == "online"
    assert AgentProfile.objects.get(user=agent_alice).presence == Presence.ONLINE


def test_api_rejects_unknown_presences_and_fields(api, agent_alice):
    api.as_user(agent_alice)

    assert api.put(PRESENCE_API, {"presence": "busy"}, format="json").status_code == 400
    assert api.put(PRESENCE_API, {"presence": "away", "mood": "sunny"}, format="json").status_code == 400


def test_api_presence_is_for_staff_only(api, customer_dana, light_agent):
    assert api.get(PRESENCE_API).status_code == 401
    assert api.put(PRESENCE_API, {"presence": "online"}, format="json").status_code == 401
    api.as_user(customer_dana.user)  # must not have a presence
    assert api.get(PRESENCE_API).status_code == 403
    assert api.put(PRESENCE_API, {"presence": "online"}, format="json").status_code == 403
    # Light agents set their own presence (it changes no ticket).
    assert api.as_user(light_agent).put(PRESENCE_API, {"presence": "away"}, format="json").status_code == 200


def test_the_top_bar_switch_sets_presence_with_htmx(client, agent_alice):
    client.force_login(agent_alice)

    response = client.post(reverse("tickets:presence"), {"presence": "online"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert '<option value="online" selected>' in response.content.decode()
    assert AgentProfile.objects.get(user=agent_alice).presence == Presence.ONLINE


def test_the_switch_without_javascript_goes_back_to_the_page(client, agent_alice):
    client.force_login(agent_alice)
    queue = reverse("tickets:queue")

    response = client.post(reverse("tickets:presence"), {"presence": "away"}, headers={"Referer": queue})
    assert response.status_code == 302 and response["Location"] == queue
    off_site = client.post(reverse("tickets:presence"), {"presence": "away"}, headers={"Referer": "https://evil.test/"})
    assert off_site["Location"] == queue
    assert client.post(reverse("tickets:presence"), {"presence": "busy"}).status_code == 400
    assert client.get(reverse("tickets:presence")).status_code == 405


def test_the_switch_is_for_staff_only(client, customer_dana):
    url = reverse("tickets:presence")
    assert client.post(url, {"presence": "online"}).status_code == 302  # to the login page
    client.force_login(customer_dana.user)
    assert client.post(url, {"presence": "online"}).status_code == 403
    assert not AgentProfile.objects.exists()


def test_the_switch_costs_one_query_and_shows_only_to_staff(agent_alice, customer_dana, django_assert_num_queries):
    online(agent_alice, presence=Presence.AWAY)
    request = RequestFactory().get("/tickets/")

    request.user = agent_alice
    with django_assert_num_queries(1):
        html = render_to_string("tickets/_presence.html", request=request)
    assert '<option value="away" selected>' in html

    request.user = customer_dana.user
    assert "<select" not in render_to_string("tickets/_presence.html", request=request)


def test_admins_list_agent_profiles(client, admin_ada, agent_alice):
    online(agent_alice, capacity=7)
    client.force_login(admin_ada)

    page = client.get(reverse("admin:tickets_agentprofile_changelist"))

    assert page.status_code == 200 and "alice" in page.content.decode()
    assert client.get(reverse("admin:tickets_agentprofile_change", args=[agent_alice.pk])).status_code == 200
