"""The agent UI live, through a real ASGI server: collision detection and pages that follow events."""

import pytest
from playwright.sync_api import expect

from tickets.inbound import InboundMessage
from tickets.models import Channel
from tickets.services import ingest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_agents(browser, asgi_server, login, agent_alice, agent_bob_same_team):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for page, username in zip(pages, ["alice", "bob"], strict=True):
        page.set_default_timeout(10_000)
        login(page, username, base=asgi_server)
        expect(page.locator("#notifications.live")).to_be_visible()  # the socket is up
    yield pages
    for context in contexts:
        context.close()


def test_agents_see_each_other_on_a_ticket(two_agents, asgi_server, support_ticket, agent_bob_same_team, screenshot):
    alice, bob = two_agents
    url = f"{asgi_server}/tickets/{support_ticket.pk}/"
    alice.goto(url)
    expect(alice.locator("#notifications.live")).to_be_visible()
    bob.goto(url)

    expect(bob.locator("#viewers")).to_have_text("Also on this ticket: Alice Agent")
    expect(alice.locator("#viewers")).to_have_text(f"Also on this ticket: {agent_bob_same_team.display_name}")

    alice.fill("#id_text", "Let me check the printer logs")
    expect(bob.locator("#viewers")).to_contain_text("Alice Agent (typing a reply…)")
    screenshot(bob, "collision")

    alice.goto(f"{asgi_server}/tickets/")
    expect(bob.locator("#viewers")).to_be_hidden()


def test_the_queue_and_the_bell_follow_new_tickets(support_ticket, two_agents, asgi_server):
    alice, _ = two_agents
    rows = alice.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)

    ingest(InboundMessage(channel=Channel.SMS, external_id="SM-live", sender_address="+14155550123", text="Live?"))

    expect(rows).to_have_count(2)  # without a reload
    expect(rows.first).to_contain_text("Live?")
    expect(alice.locator("#unread")).to_have_text("1")
    expect(alice.locator("#toasts .toast")).to_contain_text("wrote on SMS")
