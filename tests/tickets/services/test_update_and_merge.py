import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import MacroFactory, TicketFactory
from tickets.inbound import InboundMessage
from tickets.models import Channel, Priority, Status, TicketEvent
from tickets.services import ingest, merge_tickets, reply, update_ticket

pytestmark = pytest.mark.django_db


def new_ticket(external_id="<m1@example.org>", sender="pat@example.org"):
    msg = InboundMessage(
        channel=Channel.EMAIL, external_id=external_id, sender_address=sender, subject="Help", text="x"
    )
    return ingest(msg).ticket


def test_update_writes_one_event_per_kind_of_change(agent_alice, team_support):
    ticket = new_ticket()

    update_ticket(
        ticket=ticket,
        by=agent_alice,
        status=Status.PENDING,
        priority=Priority.HIGH,
        assignee=agent_alice,
        team=team_support,
        tags=["VIP", "billing issue"],
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee, ticket.team) == ("pending", 3, agent_alice, team_support)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing-issue", "vip"]
    kinds = list(ticket.events.exclude(kind__in=["created", "message_added"]).values_list("kind", flat=True))
    assert kinds == ["status_changed", "priority_changed", "assigned", "tags_changed"]


def test_update_without_changes_writes_nothing(agent_alice):
    ticket = new_ticket()
    before = TicketEvent.objects.count()
    update_ticket(ticket=ticket, by=agent_alice, status=ticket.status, tags=[])
    assert TicketEvent.objects.count() == before


def test_assignee_must_belong_to_the_team(agent_carl_other_team, agent_alice, team_support):
    ticket = new_ticket()
    with pytest.raises(ValidationError, match="not in team Support"):
        update_ticket(ticket=ticket, by=agent_alice, assignee=agent_carl_other_team, team=team_support)


def test_customer_cannot_be_assigned(agent_alice, customer_dana):
    with pytest.raises(ValidationError, match="not an agent"):
        update_ticket(ticket=new_ticket(), by=agent_alice, assignee=customer_dana.user)


def test_light_agent_cannot_update_or_reply_but_can_note(light_agent):
    ticket = new_ticket()
    with pytest.raises(PermissionDenied):
        update_ticket(ticket=ticket, by=light_agent, status=Status.SOLVED)
    with pytest.raises(PermissionDenied):
        reply(ticket=ticket, author=light_agent, text="hello")
    note = reply(ticket=ticket, author=light_agent, text="checked the logs", internal=True)
    assert note.is_internal and note.delivery_status == ""


def test_first_public_reply_sets_first_response_and_opens(agent_alice, django_capture_on_commit_callbacks):
    ticket = new_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(ticket=ticket, author=agent_alice, text="On it")
    ticket.refresh_from_db()
    message.refresh_from_db()
    assert ticket.first_response_at == message.created_at
    assert ticket.status == Status.OPEN
    assert message.address == "pat@example.org"
    assert message.delivery_status == "sent"  # the locmem backend accepted it


def test_merge_moves_messages_and_closes_source(agent_alice):
    target = new_ticket("<t@example.org>")
    source = new_ticket("<s@example.org>", sender="pat2@example.org")
    update_ticket(ticket=source, by=agent_alice, tags=["refund"])

    merge_tickets(source=source, target=target, by=agent_alice)

    source.refresh_from_db()
    assert source.status == Status.CLOSED and source.merged_into == target
    assert target.messages.count() == 2
    assert list(target.tags.values_list("name", flat=True)) == ["refund"]
    assert target.events.filter(kind="merged").get().data["source"] == source.pk


def test_reply_to_merged_ticket_threads_onto_target(agent_alice):
    target = new_ticket("<t@example.org>")
    source = new_ticket("<s@example.org>")
    merge_tickets(source=source, target=target, by=agent_alice)
    msg = InboundMessage(
        channel=Channel.EMAIL,
        external_id="<r@example.org>",
        sender_address="pat@example.org",
        text="and?",
        reply_to_ids=("<s@example.org>",),
    )
    assert ingest(msg).ticket.pk == target.pk


@pytest.mark.parametrize("case", ["self", "twice", "closed-target"])
def test_merge_refuses_nonsense(agent_alice, case):
    a, b = new_ticket("<a@x.org>"), new_ticket("<b@x.org>")
    if case == "twice":
        merge_tickets(source=a, target=b, by=agent_alice)
    if case == "closed-target":
        update_ticket(ticket=b, by=agent_alice, status=Status.CLOSED)
    with pytest.raises(ValidationError):
        merge_tickets(source=a, target=a if case == "self" else b, by=agent_alice)


def test_macro_placeholders(agent_alice):
    from tickets.services import render_macro

    ticket = TicketFactory(customer__name="Dana Scully")
    macro = MacroFactory(body="Hi {{ customer.first_name }}, #{{ticket.number}} from {{ agent.name }} {{ bogus.x }}")
    text = render_macro(macro=macro, ticket=ticket, agent=agent_alice)
    assert text == f"Hi Dana, #{ticket.pk} from Alice Agent {{{{ bogus.x }}}}"


def test_reply_on_a_merged_ticket_is_refused(agent_alice):
    target, source = new_ticket("<t@example.org>"), new_ticket("<s@example.org>")
    merge_tickets(source=source, target=target, by=agent_alice)
    with pytest.raises(ValidationError, match="answer there"):
        reply(ticket=source, author=agent_alice, text="hello")
