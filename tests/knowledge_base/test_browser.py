"""A visitor searches the help centre, opens an article and says it helped (Playwright + Debian's chromium)."""

import pytest
from playwright.sync_api import expect

from knowledge_base.models import ArticleFeedback

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_finds_an_answer_and_votes_yes(page, live_server, make_article, screenshot):
    make_article(
        "Reset your password",
        "On the sign-in page click **Forgot password?** and follow the link we e-mail you.",
        summary="Choose a new password with a link we e-mail you.",
    )
    make_article("The password reset e-mail does not arrive", "Look in your spam folder.")
    make_article("Track your order", "Use the tracking link in the shipping e-mail.")

    page.goto(f"{live_server.url}/help/")
    expect(page.locator("h1")).to_have_text("How can we help?")
    expect(page.locator(".kb-card h2").first).to_have_text("Account")
    screenshot(page, "kb_home")

    page.fill("#kb-q", "password")
    page.press("#kb-q", "Enter")
    results = page.locator(".kb-results > li")
    expect(results).to_have_count(2)
    expect(results.first.locator("mark").first).to_have_text("password")
    screenshot(page, "kb_search")

    results.first.locator("h2 a").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    expect(page.locator(".kb-body strong")).to_have_text("Forgot password?")
    page.click("#feedback button[value=yes]")
    expect(page.locator("#feedback")).to_contain_text("Thank you for your feedback! We are glad it helped.")
    screenshot(page, "kb_article")
    feedback = ArticleFeedback.objects.get()
    assert feedback.helpful and feedback.translation.title == "Reset your password"
