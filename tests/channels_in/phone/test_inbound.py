"""A finished call's inbox payload (fixtures/*.json) -> the InboundMessage that lands on a ticket."""

from datetime import UTC, datetime
from pathlib import Path

from channels_in.phone.inbound import parse_call
from tickets.inbound import RemoteMedia

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_voicemail_becomes_its_transcription_with_the_recording_to_fetch():
    (msg,) = parse_call((FIXTURES / "voicemail.json").read_text())

    assert msg.channel == "phone"
    assert msg.external_id == "CA5b1e0c1a2f3e4d5c6b7a8f9e0d1c2b3a:voicemail"
    assert msg.sender_address == "+4915112345678"
    assert msg.channel_address == "+14155550100"
    assert msg.subject == "Voicemail from +4915112345678"
    assert msg.text.startswith("Hi, this is Jonas from Acme.")
    assert msg.team_id == 7
    assert msg.timestamp == datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    recording = "https://api.twilio.com/2010-04-01/Accounts/ACf2d0c9a5e4b3c2d1e0f9a8b7c6d5e4f3/Recordings/"
    assert msg.media == (
        RemoteMedia(
            recording + "RE0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f.mp3",
            "audio/mpeg",
            "voicemail-RE0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f.mp3",
        ),
    )
    assert msg.meta["call"] == {
        "sid": "CA5b1e0c1a2f3e4d5c6b7a8f9e0d1c2b3a",
        "direction": "in",
        "status": "voicemail",
        "missed": False,
        "duration": 47,
        "recording_duration": 38,
        "menu": ["2"],
        "summary": "Voicemail, 38 s",
    }


def test_a_call_without_voicemail_says_it_was_missed():
    (msg,) = parse_call((FIXTURES / "missed.json").read_text())

    assert msg.external_id == "CA9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"
    assert msg.subject == "Missed call from +4915112345678"
    assert msg.text == "Missed call (no voicemail), 9 s"
    assert msg.media == ()
    assert msg.team_id is None
    assert msg.meta["call"]["missed"] is True
    assert msg.meta["call"]["status"] == "completed"
