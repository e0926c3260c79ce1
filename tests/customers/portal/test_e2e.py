"""The portal in a real browser: magic-link sign-in read from the outbox, then a reply with a file."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from customers.models import RequestField, RequestFieldKind
from tests.customers.portal.conftest import link_path
from tickets.models import Channel, Status
from tickets.services import reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_customer_signs_in_by_link_and_replies(
    captured_events, page, live_server, screenshot, dana_ticket, agent_alice
):
    # captured_events first: realtime sends from this thread would meet Playwright's event loop.
    reply(ticket=dana_ticket, author=agent_alice, text="Could you send a photo?", status=Status.PENDING)
    RequestField.objects.create(label="Product", kind=RequestFieldKind.SELECT, choices="Printer\nScanner")
    base = live_server.url

    page.goto(f"{base}/portal/")
    expect(page.locator("h1")).to_have_text("Sign in")
    screenshot(page, "portal-login")
    page.fill("#id_email", "dana@example.org")
    page.click("text=Send me a sign-in link")
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    assert (mail.outbox[-1].subject, mail.outbox[-1].to) == ("Your sign-in link", ["dana@example.org"])

    page.goto(base + link_path())
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("My requests")
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    screenshot(page, "portal-requests")

    page.click("text=Dana's invoice")
    expect(page.locator(".timeline")).to_contain_text("Could you send a photo?")
    expect(page.locator(".page-head .status")).to_have_text("Pending")
    page.fill("#id_text", "Here is the photo.")
    page.set_input_files("#id_attachments", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"PNG"}])
    page.click("text=Send reply")
    expect(page.locator(".message.in").last).to_contain_text("Here is the photo.")
    expect(page.locator(".message.in").last).to_contain_text("photo.png")
    expect(page.locator(".page-head .status")).to_have_text("Open")
    screenshot(page, "portal-ticket")
    message = dana_ticket.messages.order_by("-id").first()
    assert (message.channel, message.body_text) == (Channel.WEBFORM, "Here is the photo.")

    page.click("nav.portal-nav >> text=New request")
    expect(page.locator("#id_field_" + str(RequestField.objects.get().pk))).to_be_visible()
    screenshot(page, "portal-new-request")
    page.click("nav.portal-nav >> text=Profile")
    expect(page.locator("h1")).to_have_text("Profile")
    screenshot(page, "portal-profile")

    page.set_viewport_size({"width": 390, "height": 844})
    page.click("nav.portal-nav >> text=My requests")
    screenshot(page, "portal-requests-mobile")
    page.click("text=Dana's invoice")
    screenshot(page, "portal-ticket-mobile")
