"""Shared setup for the Twilio channel: one account, signed webhook posts, Twilio's API mocked over HTTP."""

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import responses
from twilio.request_validator import RequestValidator

from channels_in.twilio.models import TwilioAccount

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "f00dfeedcafe1234567890abcdef1234"
SMS_NUMBER = "+14155550100"
WHATSAPP_NUMBER = "+14155550199"
CUSTOMER_NUMBER = "+14155550123"
PUBLIC_URL = "https://help.example.com"
MESSAGES_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def _public_url(settings):
    """Twilio signs the public URL it calls; the environment holds no account unless a test adds one."""
    settings.PUBLIC_URL = PUBLIC_URL
    settings.WEBHOOK_URL_FROM_PUBLIC_URL = True
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_PHONE_NUMBER = settings.TWILIO_WHATSAPP_NUMBER = ""


@pytest.fixture
def twilio_account(team_support) -> TwilioAccount:
    """Support's Twilio project, configured in the admin, with an SMS and a WhatsApp number."""
    return TwilioAccount.objects.create(
        name="Support US",
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        phone_number=SMS_NUMBER,
        whatsapp_number=WHATSAPP_NUMBER,
        team=team_support,
    )


def signature(path: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_URL + path, params)


@pytest.fixture
def post_twilio(client):
    """post_twilio(path, params) -> response to a form post signed as Twilio signs it."""

    def post(path: str, params: dict, *, token: str = AUTH_TOKEN, sign: str | None = None):
        return client.post(
            path,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature(path, params, token) if sign is None else sign,
        )

    return post


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """Twilio's HTTP APIs (Messages, media); any request not registered fails the call."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def created(sid: str = "SMc0ffee0000000000000000000000beef", **fields) -> dict:
    """Twilio's 201 answer to a Messages POST."""
    return {**load("message_created.json"), "sid": sid, **fields}
