"""Twilio Voice webhooks: what the caller hears, and how a call ends up as one message on a ticket."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import responses
from django.urls import reverse

from channels_in.inbox_models import InboundPayload
from channels_in.phone.models import Call
from tests.channels_in.phone.conftest import (
    ACCOUNT_SID,
    CALLER,
    OUR_NUMBER,
    RECORDING_SID,
    call_params,
    recording_params,
    recording_url,
)
from tickets.models import Message, Ticket

CALL_SID = "CA5b1e0c1a2f3e4d5c6b7a8f9e0d1c2b3a"
MONDAY_10_BERLIN = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MONDAY_21_BERLIN = datetime(2025, 3, 3, 20, 0, tzinfo=UTC)
TRANSCRIPT = "Hi, this is Jonas from Acme. Our printer shows error E42 again, please call me back."


def twiml(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own TwiML, not untrusted input)


def transcription_params(call_sid: str) -> dict[str, str]:
    return call_params(
        call_sid,
        status="completed",
        TranscriptionSid="TR3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b",
        TranscriptionText=TRANSCRIPT,
        TranscriptionStatus="completed",
        TranscriptionUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Transcriptions/TR3e2d",
        RecordingSid=RECORDING_SID,
        RecordingUrl=recording_url(),
    )


def status_params(call_sid: str, status: str, duration: int, **extra) -> dict[str, str]:
    return call_params(call_sid, status=status, CallDuration=str(duration), Duration="1", **extra)


@pytest.fixture
def now_is(monkeypatch):
    def set_now(at: datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: at)

    return set_now


@pytest.mark.django_db
def test_inside_business_hours_the_caller_hears_the_greeting_and_the_team_menu(hook, voice_setup, now_is):
    now_is(MONDAY_10_BERLIN)

    root = twiml(hook("incoming", call_params(CALL_SID)))

    assert [child.tag for child in root] == ["Say", "Gather", "Say", "Record"]
    assert root[0].text == "Thank you for calling."
    gather = root[1]
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == "/hooks/twilio/voice/menu/"
    assert [say.text for say in gather] == ["For sales, press 1.", "For support, press 2."]
    assert Call.objects.get(call_sid=CALL_SID).customer_number == CALLER


@pytest.mark.django_db
def test_outside_business_hours_the_caller_goes_straight_to_voicemail(hook, voice_setup, now_is):
    now_is(MONDAY_21_BERLIN)

    root = twiml(hook("incoming", call_params(CALL_SID)))

    assert [child.tag for child in root] == ["Say", "Say", "Record"]
    assert root[0].text == "Thank you for calling. We are closed right now."
    assert root[1].text == "Please leave a message after the tone."
    record = root[2].attrib
    assert record["maxLength"] == "90"
    assert record["transcribe"] == "true"
    assert record["transcribeCallback"] == "/hooks/twilio/voice/transcription/"
    assert record["recordingStatusCallback"] == "/hooks/twilio/voice/recording/"
    assert record["action"] == "/hooks/twilio/voice/done/"


@pytest.mark.django_db
def test_an_unknown_digit_plays_the_menu_again(hook, voice_setup):
    hook("incoming", call_params(CALL_SID))

    root = twiml(hook("menu", call_params(CALL_SID, status="in-progress", Digits="7")))

    assert [child.tag for child in root] == ["Gather", "Say", "Record"]
    assert Call.objects.get(call_sid=CALL_SID).menu_choices == ["7"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["incoming", "menu", "status", "recording", "transcription"])
def test_a_forged_request_is_refused_and_nothing_is_stored(hook, name):
    params = recording_params(CALL_SID) if name == "recording" else call_params(CALL_SID, Digits="2")

    response = hook(name, params, token="not-our-token")

    assert response.status_code == 403
    assert not Call.objects.exists()
    assert not InboundPayload.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_a_call_with_menu_and_voicemail_becomes_one_message_with_transcription_recording_and_team(
    hook, voice_setup, team_support
):
    responses.get(recording_url() + ".mp3", body=b"ID3\x04voicemail-audio", content_type="audio/mpeg")

    hook("incoming", call_params(CALL_SID))
    hook("menu", call_params(CALL_SID, status="in-progress", Digits="2"))
    done = hook("done", call_params(CALL_SID, status="in-progress", **recording_params(CALL_SID)))
    assert "Hangup" in done.content.decode()
    assert hook("recording", recording_params(CALL_SID)).status_code == 204
    assert hook("transcription", transcription_params(CALL_SID)).status_code == 204
    assert hook("status", status_params(CALL_SID, "completed", 47)).status_code == 204

    ticket = Ticket.objects.get()
    message = Message.objects.get()
    assert ticket.channel == "phone" and ticket.team == team_support
    assert ticket.customer.identities.get().address == CALLER
    assert message.body_text == TRANSCRIPT
    assert message.channel_address == OUR_NUMBER
    assert message.meta["call"]["menu"] == ["2"]
    attachment = message.attachments.get()
    assert attachment.filename == f"voicemail-{RECORDING_SID}.mp3"
    assert attachment.file.read() == b"ID3\x04voicemail-audio"
    call = Call.objects.get()
    assert (call.status, call.duration, call.menu_choices) == ("voicemail", 47, ["2"])
    assert (call.ticket, call.message) == (ticket, message)


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_the_call_waits_for_its_recording_when_the_end_of_the_call_is_reported_first(hook, voice_setup):
    """Twilio's usual order: <Record> action, call completed, then the recording is ready."""
    responses.get(recording_url() + ".mp3", body=b"ID3", content_type="audio/mpeg")
    hook("incoming", call_params(CALL_SID))
    hook("done", call_params(CALL_SID, status="in-progress", **recording_params(CALL_SID)))

    hook("status", status_params(CALL_SID, "completed", 52))
    assert not Message.objects.exists()
    hook("recording", recording_params(CALL_SID))

    message = Message.objects.get()
    assert message.body_text == "Voicemail, 38 s"
    assert message.attachments.get().filename == f"voicemail-{RECORDING_SID}.mp3"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("status", "duration", "text"),
    [("completed", 9, "Missed call (no voicemail), 9 s"), ("canceled", 0, "Missed call (hung up while ringing), 0 s")],
)
def test_a_call_without_voicemail_is_on_the_ticket_as_a_missed_call(hook, client, agent_alice, status, duration, text):
    hook("incoming", call_params(CALL_SID))

    hook("status", status_params(CALL_SID, status, duration))

    message = Message.objects.get()
    assert message.body_text == text
    assert message.meta["call"]["missed"] is True
    call = Call.objects.get()
    assert call.missed and call.message == message
    client.force_login(agent_alice)
    page = client.get(reverse("tickets:detail", args=[message.ticket_id])).content.decode()
    assert text in page and '<strong class="badge missed">Missed call</strong>' in page


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_a_transcription_that_comes_before_the_recording_is_the_text_at_once(hook):
    responses.get(recording_url() + ".mp3", body=b"ID3", content_type="audio/mpeg")
    hook("incoming", call_params(CALL_SID))
    hook("done", call_params(CALL_SID, status="in-progress", **recording_params(CALL_SID)))

    hook("transcription", transcription_params(CALL_SID))
    assert not Message.objects.exists()
    hook("recording", recording_params(CALL_SID))

    assert Message.objects.get().body_text == TRANSCRIPT


@pytest.mark.django_db(transaction=True)
def test_a_second_call_from_the_same_caller_joins_the_open_phone_ticket(hook):
    second = "CA0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    for sid in (CALL_SID, second):
        hook("incoming", call_params(sid))
        hook("status", status_params(sid, "completed", 5))

    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2
    assert set(Call.objects.values_list("ticket", flat=True)) == {ticket.pk}


@pytest.mark.django_db(transaction=True)
def test_a_retried_status_callback_stores_the_call_once(hook):
    hook("incoming", call_params(CALL_SID))

    for _ in range(2):
        assert hook("status", status_params(CALL_SID, "completed", 5)).status_code == 204

    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_forged_recording_callback_of_a_real_call_is_refused(hook):
    """Recording callbacks carry no To: the call's own number picks the token that must have signed."""
    hook("incoming", call_params(CALL_SID))

    assert hook("recording", recording_params(CALL_SID), token="not-our-token").status_code == 403

    assert Call.objects.get().recording_sid == ""
    assert not Message.objects.exists()
