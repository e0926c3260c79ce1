"""A finished call's inbox payload -> the InboundMessage that puts it on a ticket (pure, no ORM).

The payload is our own JSON, written by `channels_in.phone.services` when a call ends, because
Twilio reports a call in several callbacks (status, recording, transcription) and the message needs
what all of them said:

    {"id": "CA…" or "CA…:voicemail", "call_sid": "CA…", "from": "+49…", "to": "+1…",
     "direction": "in", "status": "completed", "duration": 42, "menu": ["2"], "team_id": 3,
     "started_at": "2025-01-31T09:00:00+00:00",
     "recording": {"sid": "RE…", "url": "https://api.twilio.com/…/Recordings/RE…", "duration": 38} | null,
     "transcription": "Hello, my printer …"}
"""

import json
from datetime import datetime

from tickets.inbound import InboundMessage, RemoteMedia
from tickets.models.choices import Channel

VOICEMAIL_SUFFIX = ":voicemail"

# Why nobody heard the caller, by the call's final status.
_MISSED_REASON = {
    "completed": "no voicemail",
    "busy": "busy",
    "no-answer": "not answered",
    "canceled": "hung up while ringing",
    "failed": "call failed",
}


def message_external_id(call_sid: str, *, voicemail: bool) -> str:
    """The message key of a call: a voicemail and a missed call of one SID never collide."""
    return call_sid + VOICEMAIL_SUFFIX if voicemail else call_sid


def parse_call(body: str) -> list[InboundMessage]:
    """One message per finished call: its transcription or a summary, the recording as media."""
    data = json.loads(body)
    recording = data.get("recording")
    duration = int(data.get("duration") or 0)
    caller = data["from"]
    if recording:
        summary = f"Voicemail, {int(recording.get('duration') or 0)} s"
        subject = f"Voicemail from {caller}"
        media = (RemoteMedia(recording["url"] + ".mp3", "audio/mpeg", f"voicemail-{recording['sid']}.mp3"),)
    else:
        summary = f"Missed call ({_MISSED_REASON.get(data['status'], data['status'])}), {duration} s"
        subject = f"Missed call from {caller}"
        media = ()
    started = data.get("started_at")
    return [
        InboundMessage(
            channel=Channel.PHONE,
            external_id=data["id"],
            sender_address=caller,
            subject=subject,
            text=(data.get("transcription") or "").strip() or summary,
            timestamp=datetime.fromisoformat(started) if started else None,
            channel_address=data.get("to", ""),
            team_id=data.get("team_id"),
            media=media,
            meta={
                "call": {
                    "sid": data["call_sid"],
                    "direction": data.get("direction", "in"),
                    "status": "voicemail" if recording else data["status"],
                    "missed": not recording,
                    "duration": duration,
                    "recording_duration": int(recording.get("duration") or 0) if recording else 0,
                    "menu": list(data.get("menu") or []),
                    "summary": summary,
                }
            },
        )
    ]
