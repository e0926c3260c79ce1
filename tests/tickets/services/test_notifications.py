"""Who hears about what: followers on customer replies, agents named in internal notes."""

import pytest

from tests.factories import UserFactory
from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest, reply

pytestmark = pytest.mark.django_db


def test_followers_hear_of_a_customer_reply(
    support_ticket, agent_carl_other_team, captured_events, django_capture_on_commit_callbacks
):
    support_ticket.followers.add(agent_carl_other_team)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(
            InboundMessage(
                channel=Channel.EMAIL,
                external_id="<follow-up@x>",
                sender_address="pat@example.org",
                subject="Re: Printer on fire",
                text="Still burning.",
                ticket_hint=support_ticket.pk,
            )
        )
    groups = {group for group, event in captured_events if event["type"] == "ticket.message"}
    assert f"agent.{agent_carl_other_team.pk}" in groups


def test_an_internal_note_tells_the_agents_it_names(
    support_ticket,
    agent_alice,
    agent_bob_same_team,
    agent_carl_other_team,
    captured_events,
    django_capture_on_commit_callbacks,
):
    UserFactory(username="someone.else")
    with django_capture_on_commit_callbacks(execute=True):
        reply(
            ticket=support_ticket,
            author=agent_alice,
            text="@bob can you look? cc @carl @alice @nobody mail@bob.example",
            internal=True,
        )
    mentions = {group for group, event in captured_events if event["type"] == "ticket.mention"}
    # carl is in another team and may not see the ticket; alice wrote it; "mail@bob" is no mention.
    assert mentions == {f"agent.{agent_bob_same_team.pk}"}
