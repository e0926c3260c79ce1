"""The Twilio account admin: the auth token is write-only, numbers are stored as Twilio sends them."""

import pytest

from channels_in.twilio.admin import TwilioAccountForm
from channels_in.twilio.models import TwilioAccount
from tests.channels_in.twilio.conftest import ACCOUNT_SID, AUTH_TOKEN

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict:
    data = {
        "name": "Support US",
        "account_sid": ACCOUNT_SID,
        "auth_token": "",
        "phone_number": "+1 (415) 555-0100",
        "whatsapp_number": "whatsapp:+14155550199",
        "active": "on",
    }
    return data | changes


def test_the_change_page_never_shows_the_token(client, admin_ada, twilio_account):
    client.force_login(admin_ada)

    page = client.get(f"/admin/channels_twilio/twilioaccount/{twilio_account.pk}/change/")

    assert page.status_code == 200
    assert AUTH_TOKEN not in page.content.decode()
    assert "https://help.example.com/hooks/twilio/sms/" in page.content.decode()


def test_an_empty_token_keeps_the_stored_one_and_numbers_become_e164(twilio_account):
    form = TwilioAccountForm(data=form_data(), instance=twilio_account)

    assert form.is_valid(), form.errors
    form.save()

    saved = TwilioAccount.objects.get()
    assert (saved.auth_token, saved.phone_number, saved.whatsapp_number) == (AUTH_TOKEN, "+14155550100", "+14155550199")


def test_a_new_account_needs_a_token_and_real_numbers(db):
    form = TwilioAccountForm(data=form_data(phone_number="call me"))

    assert not form.is_valid()
    assert set(form.errors) == {"auth_token", "phone_number"}
