import re

import pytest
from playwright.sync_api import expect

from tests.factories import MacroFactory
from tickets.inbound import InboundMessage
from tickets.models import Channel, Message, Ticket
from tickets.services import ingest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tickets(support_ticket):
    ingest(
        InboundMessage(channel=Channel.SMS, external_id="SM1", sender_address="+14155550100", text="Where is my order?")
    )
    return support_ticket


def test_agent_works_a_ticket_end_to_end(page, live_server, login, tickets, agent_alice, smtp_server, screenshot):
    MacroFactory(name="Thanks", body="Thanks {{ customer.first_name }}! ")
    login(page, "alice")

    # The queue shows both channels; filtering by channel swaps the rows in place.
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    screenshot(page, "queue")
    page.select_option("select[name=channel]", "sms")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"channel=sms"))
    expect(rows.first).to_contain_text("Where is my order?")
    page.goto(f"{live_server.url}/tickets/")

    # Open the ticket, insert a macro, reply on e-mail.
    page.click("text=Printer on fire")
    expect(page.locator("h1")).to_contain_text("Printer on fire")
    expect(page.locator(".timeline")).to_contain_text("It is on fire.")
    page.click("button[data-macro-url]")
    expect(page.locator("#id_text")).to_have_value("Thanks Pat! ")
    page.fill("#id_text", "Thanks Pat! Unplug it and step away.")
    page.select_option("#id_status", "pending")
    page.click("text=Send")
    expect(page.locator(".message.out")).to_contain_text("Unplug it and step away.")
    expect(page.locator(".message.out .delivery")).to_have_text("Sent")
    expect(page.locator(".page-head .status")).to_have_text("Pending")
    assert [m["To"] for m in smtp_server.messages] == ["pat@example.org"]
    text_part, html_part = smtp_server.messages[0].get_payload()
    assert "Unplug it" in text_part.get_payload() and "Unplug it" in html_part.get_payload()

    # Internal note and a property change.
    page.check("#id_internal")
    page.fill("#id_text", "Customer sounded calm.")
    page.click("text=Send")
    expect(page.locator(".message.internal")).to_contain_text("Customer sounded calm.")
    page.select_option("#id_priority", "4")
    page.fill("#id_tags", "hardware, fire")
    page.click("text=Update")
    expect(page.locator(".page-head")).to_contain_text("Urgent priority")
    expect(page.locator(".page-head .tag")).to_have_count(2)
    assert len(smtp_server.messages) == 1  # the note never left
    screenshot(page, "ticket")

    # The customer's unified profile.
    page.click(".ticket-side >> text=Pat Doe")
    expect(page.locator(".ticket-side")).to_contain_text("pat@example.org")
    expect(page.locator("table.queue")).to_contain_text("Printer on fire")
    screenshot(page, "customer")


def test_contact_form_ticket_reaches_the_queue(page, live_server, login, agent_alice):
    page.goto(f"{live_server.url}/contact/")
    page.fill("#id_name", "Quinn Visitor")
    page.fill("#id_email", "quinn@example.org")
    page.fill("#id_subject", "Cannot log in")
    page.fill("#id_message", "The password reset never arrives.")
    page.click("text=Send")
    expect(page.locator("main")).to_contain_text("Your request is ticket")
    assert Ticket.objects.get().channel == "webform"

    login(page, "alice")
    expect(page.locator("table.queue")).to_contain_text("Cannot log in")
    expect(page.locator("table.queue")).to_contain_text("Web form")


def test_queue_is_usable_on_a_phone(browser, live_server, tickets, agent_alice, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    expect(page.locator("table.queue")).to_contain_text("Printer on fire")
    # No horizontal scrolling on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    screenshot(page, "queue-phone")
    context.close()


def test_light_agent_can_only_add_notes(page, live_server, login, tickets, light_agent):
    login(page, "lena")
    page.goto(f"{live_server.url}/tickets/{tickets.pk}/")
    expect(page.locator("#reply-title")).to_have_text("Add an internal note")
    page.fill("#id_text", "Looked into it.")
    page.click("text=Add note")
    expect(page.locator(".message.internal")).to_contain_text("Looked into it.")
    assert Message.objects.filter(visibility="internal").count() == 1
