"""Twilio Voice as Twilio sends it: real signatures over realistic form parameters."""

from datetime import time

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from channels_in.phone.models import MenuOption, VoiceSetup
from tests.factories import TeamFactory
from tickets.models import BusinessCalendar, BusinessHours

ACCOUNT_SID = "ACf2d0c9a5e4b3c2d1e0f9a8b7c6d5e4f3"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
OUR_NUMBER = "+14155550100"
CALLER = "+4915112345678"
RECORDING_SID = "RE0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"


def recording_url(sid: str = RECORDING_SID) -> str:
    return f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"


@pytest.fixture(autouse=True)
def twilio_env(settings):
    """No TwilioAccount rows: TwilioAccount.for_number falls back to these."""
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_PHONE_NUMBER = OUR_NUMBER
    settings.WEBHOOK_URL_FROM_PUBLIC_URL = False


def call_params(call_sid: str, *, caller: str = CALLER, status: str = "ringing", **extra) -> dict[str, str]:
    """The parameters Twilio posts to a voice webhook for an inbound call."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "Called": OUR_NUMBER,
        "CalledCountry": "US",
        "Caller": caller,
        "CallerCountry": "DE",
        "Direction": "inbound",
        "From": caller,
        "FromCountry": "DE",
        "To": OUR_NUMBER,
        "ToCountry": "US",
        **extra,
    }


def recording_params(call_sid: str, *, duration: int = 38) -> dict[str, str]:
    """A recordingStatusCallback: Twilio sends neither From nor To here."""
    return {
        "AccountSid": ACCOUNT_SID,
        "CallSid": call_sid,
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": recording_url(),
        "RecordingStatus": "completed",
        "RecordingDuration": str(duration),
        "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
        "RecordingStartTime": "Mon, 03 Mar 2025 10:00:21 +0000",
    }


@pytest.fixture
def hook(client):
    """hook(name, params, token=...) posts to /hooks/twilio/voice/<name> signed as Twilio would."""

    def post(name: str, params: dict[str, str], *, token: str = AUTH_TOKEN):
        path = reverse(f"phone:{name}")
        signature = RequestValidator(token).compute_signature("http://testserver" + path, params)
        return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)

    return post


@pytest.fixture
def team_sales(db):
    return TeamFactory(name="Sales")


@pytest.fixture
def voice_setup(team_sales, team_support):
    """Our number: open Monday 09:00-17:00 Berlin time, 1 for sales, 2 for support."""
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Berlin")
    BusinessHours.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(17))
    setup = VoiceSetup.objects.create(number=OUR_NUMBER, calendar=calendar, max_voicemail_seconds=90)
    MenuOption.objects.create(setup=setup, digit="1", team=team_sales, spoken_label="For sales, press 1.")
    MenuOption.objects.create(setup=setup, digit="2", team=team_support, spoken_label="For support, press 2.")
    return setup
