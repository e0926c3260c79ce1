"""The chat's services: visitors, offers to agents (capacity, round-robin), accept, transfer, end."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from channels_in.chat import selectors, services
from channels_in.chat.models import ChatSession, ChatSite, Prechat
from channels_in.chat.tasks import sweep_chats_task
from customers.models import Customer, IdentityKind
from tests.channels_in.chat.conftest import online
from tickets.models import Channel, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def write(site, visitor: str, text: str = "Hello", client_id: str = "m1"):
    return services.post_visitor_message(site=site, visitor=visitor, client_id=client_id, text=text)


def new_visitor(site) -> str:
    return services.open_session(site=site, token=None)[1]


def of_type(captured, kind: str) -> list[tuple[list[str], dict]]:
    """The published events of this type, each with the groups it went to."""
    found: dict[int, tuple[list[str], dict]] = {}
    for group, event in captured:
        if event["type"] == kind:
            found.setdefault(id(event), ([], event))[0].append(group)
    return list(found.values())


def test_a_token_names_the_same_visitor_until_it_is_tampered_with_or_foreign(site, team_support):
    token, visitor, config = services.open_session(site=site, token=None)
    other = ChatSite.objects.create(name="Other", team=team_support, allowed_origins=["https://other.example"])

    assert services.open_session(site=site, token=token)[:2] == (token, visitor)
    assert services.open_session(site=site, token=token + "x")[1] != visitor
    assert services.open_session(site=other, token=token)[1] != visitor
    assert config["title"] == "Acme support" and config["online"] is False and config["prechat"] == "off"


def test_the_first_message_opens_a_chat_ticket_in_the_sites_team(site, team_support):
    visitor = new_visitor(site)

    posted = write(site, visitor, "My parcel is late\nIt was due Monday.")

    ticket = posted.message.ticket
    assert ticket.channel == Channel.CHAT and ticket.team == team_support
    assert ticket.subject == "My parcel is late" and ticket.conversation_id == str(posted.session.pk)
    assert posted.session.ticket == ticket and posted.session.state == ChatSession.State.WAITING
    assert ticket.customer.identities.get().kind == IdentityKind.CHAT_VISITOR


def test_the_same_client_id_twice_is_one_message(site):
    visitor = new_visitor(site)

    first = write(site, visitor, client_id="c-1")
    again = write(site, visitor, client_id="c-1")

    assert again.duplicate and again.message.pk == first.message.pk
    assert Message.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_empty_or_overlong_messages_are_refused(site, text):
    with pytest.raises(ValidationError):
        write(site, new_visitor(site), text)
    assert not Message.objects.exists()


def test_a_site_requiring_the_prechat_form_refuses_messages_before_it(site):
    site.prechat = Prechat.REQUIRED
    site.save()
    visitor = new_visitor(site)

    with pytest.raises(ValidationError, match="e-mail"):
        write(site, visitor)
    services.identify(site=site, visitor=visitor, name="Pat", email="pat@example.org")

    assert write(site, visitor).message.ticket.customer.name == "Pat"


def test_identify_links_an_anonymous_visitor_to_the_customer_owning_the_email(site, customer_dana):
    visitor = new_visitor(site)
    posted = write(site, visitor)
    anonymous = posted.message.ticket.customer

    services.identify(site=site, visitor=visitor, name="Dana", email=" DANA@example.org ")

    posted.message.ticket.refresh_from_db()
    anonymous.refresh_from_db()
    assert posted.message.ticket.customer == customer_dana
    assert anonymous.merged_into == customer_dana
    assert ChatSession.objects.get().customer == customer_dana
    assert write(site, visitor, client_id="m2").message.ticket.customer == customer_dana


@pytest.mark.parametrize("email", ["eve@example.org", "new@example.org"])
def test_a_known_visitor_claiming_another_address_is_not_linked_to_it(site, customer_dana, customer_eve, email):
    visitor = new_visitor(site)
    services.identify(site=site, visitor=visitor, name="Dana", email="dana@example.org")

    services.identify(site=site, visitor=visitor, name="Eve", email=email)

    assert Customer.objects.filter(merged_into__isnull=False).count() == 0
    assert list(customer_dana.identities.values_list("kind", flat=True).order_by("kind")) == ["chat_visitor", "email"]
    assert write(site, visitor).message.ticket.customer == customer_dana


def test_claiming_someones_email_never_shows_their_chat(site, customer_dana):
    dana = new_visitor(site)
    services.identify(site=site, visitor=dana, name="Dana", email="dana@example.org")
    write(site, dana, "My card number is 4111 1111")
    mallory = new_visitor(site)
    services.identify(site=site, visitor=mallory, name="Dana", email="dana@example.org")

    write(site, mallory, "Hi, what did I tell you?")

    _, frames, _ = services.resume(site=site, visitor=mallory, after=0)
    assert [f["text"] for f in frames] == ["Hi, what did I tell you?"]


def test_identify_refuses_a_malformed_email(site):
    with pytest.raises(ValidationError):
        services.identify(site=site, visitor=new_visitor(site), name="X", email="not-an-address")


def test_nobody_online_tells_the_visitor_offline_and_leaves_the_ticket_in_the_queue(
    site, team_support, captured_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = write(site, new_visitor(site))

    ((groups, status),) = of_type(captured_events, "status")
    assert status["state"] == "offline" and "e-mail" in status["text"]
    assert groups == [f"chat.{posted.session.pk}", f"chat.visitor.{posted.session.visitor}"]
    ticket = posted.message.ticket
    ticket.refresh_from_db()
    assert ticket.team == team_support and ticket.assignee is None
    assert ChatSession.objects.get().offered_to is None


def test_offers_go_round_robin_to_online_agents_with_room_and_never_over_capacity(
    site, agent_alice, agent_bob_same_team, agent_carl_other_team, captured_events, django_capture_on_commit_callbacks
):
    online(agent_alice, agent_bob_same_team, agent_carl_other_team, chat_capacity=1)

    with django_capture_on_commit_callbacks(execute=True):
        chats = [write(site, new_visitor(site)).session for _ in range(3)]

    offered = [ChatSession.objects.get(pk=c.pk).offered_to for c in chats]
    assert sorted(u.username for u in offered[:2]) == ["alice", "bob"] and offered[2] is None
    offers = of_type(captured_events, "chat.offer")
    assert sorted(groups for groups, _ in offers) == sorted(
        [[f"agent.{agent_alice.pk}"], [f"agent.{agent_bob_same_team.pk}"]]
    )
    assert offers[0][1]["summary"].startswith("New chat from Visitor ")
    statuses = [event for _, event in of_type(captured_events, "status")]
    assert statuses[-1]["state"] == "waiting" and "busy" in statuses[-1]["text"]


def test_an_agents_active_chats_count_against_their_capacity(site, agent_alice):
    online(agent_alice, chat_capacity=1)
    first = write(site, new_visitor(site)).session
    services.accept(session=first, agent=agent_alice)

    second = write(site, new_visitor(site)).session

    assert ChatSession.objects.get(pk=second.pk).offered_to is None


def test_an_unanswered_offer_moves_on_to_the_next_agent(
    site, agent_alice, agent_bob_same_team, captured_events, django_capture_on_commit_callbacks
):
    online(agent_alice, agent_bob_same_team)
    session = write(site, new_visitor(site)).session
    first = ChatSession.objects.get(pk=session.pk).offered_to

    assert services.offer_waiting() == 0  # not yet timed out
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offer_waiting(now=timezone.now() + services.OFFER_TIMEOUT + timedelta(seconds=1)) == 1

    second = ChatSession.objects.get(pk=session.pk).offered_to
    assert {first, second} == {agent_alice, agent_bob_same_team}
    assert [groups for groups, _ in of_type(captured_events, "chat.withdrawn")] == [[f"agent.{first.pk}"]]


def test_a_chat_waiting_for_an_agent_is_offered_when_one_comes_online(site, agent_alice):
    session = write(site, new_visitor(site)).session
    online(agent_alice)

    assert services.offer_waiting() == 1
    assert ChatSession.objects.get(pk=session.pk).offered_to == agent_alice


def test_accept_assigns_the_chat_and_its_ticket(site, agent_alice, captured_events, django_capture_on_commit_callbacks):
    online(agent_alice)
    session = write(site, new_visitor(site)).session

    with django_capture_on_commit_callbacks(execute=True):
        services.accept(session=session, agent=agent_alice)

    session.refresh_from_db()
    assert session.state == "active" and session.agent == agent_alice and session.accepted_at
    assert session.ticket.assignee == agent_alice
    assert TicketEvent.objects.filter(ticket=session.ticket, kind="assigned", actor=agent_alice).exists()
    ((_, status),) = of_type(captured_events, "status")
    assert status["state"] == "active" and status["agent"] == "Alice Agent"
    assert of_type(captured_events, "chat.assigned")[0][0] == [f"agent.{agent_alice.pk}"]


def test_only_one_agent_gets_a_chat(site, agent_alice, agent_bob_same_team):
    session = write(site, new_visitor(site)).session
    services.accept(session=session, agent=agent_alice)

    with pytest.raises(ValidationError, match="Alice Agent already took"):
        services.accept(session=session, agent=agent_bob_same_team)


@pytest.mark.parametrize("who", ["agent_carl_other_team", "light_agent"])
def test_agents_outside_the_team_and_light_agents_cannot_accept(site, who, request):
    session = write(site, new_visitor(site)).session

    with pytest.raises(PermissionDenied):
        services.accept(session=session, agent=request.getfixturevalue(who))


def test_transfer_to_an_agent_hands_over_chat_and_ticket(site, agent_alice, agent_bob_same_team):
    session = write(site, new_visitor(site)).session
    services.accept(session=session, agent=agent_alice)

    services.transfer(session=session, by=agent_alice, to_agent=agent_bob_same_team)

    session.refresh_from_db()
    assert session.agent == agent_bob_same_team and session.state == "active"
    assert session.ticket.assignee == agent_bob_same_team


def test_transfer_to_a_team_offers_the_chat_there(site, agent_alice, agent_carl_other_team, team_billing):
    online(agent_carl_other_team)
    session = write(site, new_visitor(site)).session
    services.accept(session=session, agent=agent_alice)

    services.transfer(session=session, by=agent_alice, to_team=team_billing)

    session.refresh_from_db()
    assert session.state == "waiting" and session.agent is None and session.team == team_billing
    assert session.offered_to == agent_carl_other_team
    assert session.ticket.team == team_billing and session.ticket.assignee is None


def test_only_the_chats_agent_or_an_admin_transfers_or_ends_it(site, agent_alice, agent_bob_same_team, admin_ada):
    session = write(site, new_visitor(site)).session
    services.accept(session=session, agent=agent_alice)

    with pytest.raises(PermissionDenied):
        services.end(session=session, by=agent_bob_same_team)
    services.end(session=session, by=admin_ada)

    assert ChatSession.objects.get(pk=session.pk).state == "ended"


def test_ending_frees_the_agent_for_the_next_waiting_chat(site, agent_alice, django_capture_on_commit_callbacks):
    online(agent_alice, chat_capacity=1)
    first = write(site, new_visitor(site)).session
    services.accept(session=first, agent=agent_alice)
    second = write(site, new_visitor(site)).session
    assert ChatSession.objects.get(pk=second.pk).offered_to is None

    with django_capture_on_commit_callbacks(execute=True):
        services.end(session=first, by=agent_alice)
        services.end(session=first, by=agent_alice)  # twice is harmless

    assert ChatSession.objects.get(pk=second.pk).offered_to == agent_alice


def test_an_idle_chat_ends_and_its_agents_place_goes_to_the_next_one(
    site, agent_alice, captured_events, django_capture_on_commit_callbacks
):
    online(agent_alice, chat_capacity=1)
    idle = write(site, new_visitor(site)).session
    services.accept(session=idle, agent=agent_alice)
    waiting = write(site, new_visitor(site)).session
    Ticket.objects.filter(pk=idle.ticket_id).update(
        last_message_at=timezone.now() - services.IDLE_TIMEOUT - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        sweep_chats_task()

    assert ChatSession.objects.get(pk=idle.pk).state == "ended"
    assert ChatSession.objects.get(pk=waiting.pk).offered_to == agent_alice
    assert [e["state"] for _, e in of_type(captured_events, "status")] == ["ended", "waiting"]


def test_read_receipts_never_go_backwards_or_past_the_last_message(site, agent_alice, agent_bob_same_team):
    posted = write(site, new_visitor(site))
    session = posted.session
    services.accept(session=session, agent=agent_alice)

    assert services.read(session=session, seq=10**12)
    assert not services.read(session=session, seq=1)
    assert ChatSession.objects.get(pk=session.pk).visitor_read_seq == posted.message.pk
    with pytest.raises(PermissionDenied):
        services.read(session=session, seq=posted.message.pk, by=agent_bob_same_team)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_first_messages_at_once_never_offer_an_agent_past_capacity(site, agent_alice, monkeypatch):
    online(agent_alice, chat_capacity=1)
    visitors = [new_visitor(site) for _ in range(2)]
    start = threading.Barrier(2)
    # Each offer waits (up to 1 s) after counting loads for the other to count too: without the
    # profile lock both would count 0 and offer alice two chats; with it the second one waits on the
    # lock until the first commits, so this rendezvous times out and it counts the first's offer.
    counted = threading.Barrier(2)
    count_loads = selectors.chat_loads

    def count_then_wait(*args, **kwargs):
        loads = count_loads(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait(timeout=1)
        return loads

    monkeypatch.setattr(selectors, "chat_loads", count_then_wait)
    errors: list[BaseException] = []

    def first_message(visitor: str) -> None:
        try:
            start.wait(timeout=10)
            write(site, visitor)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_message, args=(v,)) for v in visitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert ChatSession.objects.filter(offered_to=agent_alice).count() == 1
