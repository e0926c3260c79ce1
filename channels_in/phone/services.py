"""What Twilio's voice callbacks change, and how a finished call becomes one message on a ticket.

Twilio reports a call in pieces whose order is not fixed: the status callback ("completed"), the
<Record> action (a recording is coming), the recording callback (it can be fetched) and the
transcription. Each piece is written on the Call row under a row lock; the call's message is
stored through the webhook inbox once enough is known, and at most once per kind (missed call,
voicemail), so retries and any callback order give one message.
"""

import json
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels_in.inbox import accept_payload
from channels_in.phone.inbound import VOICEMAIL_SUFFIX, message_external_id
from channels_in.phone.models import (
    ENDED_WITHOUT_VOICEMAIL,
    Call,
    CallbackRequest,
    CallDirection,
    CallStatus,
    MenuOption,
    VoiceSetup,
)
from channels_in.twilio.models import TwilioAccount
from tickets.models import Channel, Message, Ticket
from tickets.rules.business_hours import is_open
from tickets.services import reply, revise_inbound_text

# Twilio's statuses before the call is answered all mean "ringing" to us.
_RINGING = {"queued", "initiated", "ringing"}
_FINAL = {*ENDED_WITHOUT_VOICEMAIL, CallStatus.VOICEMAIL}
# How an agent's outbound call went, as they log it.
OUTCOMES = [
    (CallStatus.COMPLETED, "talked"),
    (CallStatus.VOICEMAIL, "left a voicemail"),
    (CallStatus.NO_ANSWER, "no answer"),
    (CallStatus.BUSY, "busy"),
    (CallStatus.FAILED, "could not connect"),
]


def setup_for(number: str) -> VoiceSetup:
    """The active setup of one of our numbers, or an unsaved default one (always open, no menu)."""
    setup = (
        VoiceSetup.objects.filter(number=number, active=True)
        .select_related("calendar")
        .prefetch_related("options", "calendar__hours", "calendar__holidays")
        .first()
    )
    return setup or VoiceSetup(number=number)


def is_answering(setup: VoiceSetup) -> bool:
    """Whether the number's team works now; a setup without a calendar is always open."""
    return setup.calendar is None or is_open(setup.calendar, timezone.now())


def menu_options(setup: VoiceSetup) -> list[MenuOption]:
    return list(setup.options.all()) if setup.pk else []


def start_call(*, params: dict[str, str]) -> Call:
    """The Call of a voice webhook, created on its first request (Twilio may ask twice)."""
    call, _ = Call.objects.get_or_create(call_sid=params["CallSid"], defaults=_new_call(params))
    return call


def record_menu_choice(*, params: dict[str, str], setup: VoiceSetup) -> MenuOption | None:
    """Remember the digit the caller pressed; the option it chose, if it is one (its team gets the call)."""
    digit = params.get("Digits", "")[:1]
    option = next((o for o in menu_options(setup) if o.digit == digit), None)
    with transaction.atomic():
        call = _locked_call(params)
        call.menu_choices = [*call.menu_choices, digit]
        fields = ["menu_choices", "updated_at"]
        if option is not None:
            call.team_id = option.team_id
            fields.append("team")
        call.save(update_fields=fields)
    return option


def expect_recording(*, params: dict[str, str]) -> None:
    """The <Record> action: a voicemail with sound is coming, so the call's end waits for it."""
    if not params.get("RecordingUrl") or _int(params.get("RecordingDuration")) < 1:
        return
    with transaction.atomic():
        call = _locked_call(params)
        call.recording_expected = True
        call.save(update_fields=["recording_expected", "updated_at"])


def record_status(*, params: dict[str, str], account: TwilioAccount) -> Call:
    """A status callback; a call that ended without a voicemail is stored as a missed call."""
    status = _status(params.get("CallStatus", ""))
    with transaction.atomic():
        call = _locked_call(params)
        if call.status not in _FINAL:  # a late "ringing" never undoes the end
            call.status = status
        call.duration = max(call.duration, _int(params.get("CallDuration")))
        call.save(update_fields=["status", "duration", "updated_at"])
        if status in ENDED_WITHOUT_VOICEMAIL and not call.recording_expected and not call.message_external_id:
            _store_message(call, account)
    return call


def record_recording(*, params: dict[str, str], account: TwilioAccount) -> Call:
    """The recording callback: a voicemail is stored with its recording; a failed or empty
    recording leaves a missed call (stored now if the call has already ended)."""
    with transaction.atomic():
        call = _locked_call(params)
        if params.get("RecordingStatus", "completed") != "completed" or not params.get("RecordingUrl"):
            call.recording_expected = False
            call.save(update_fields=["recording_expected", "updated_at"])
            if call.status in ENDED_WITHOUT_VOICEMAIL and not call.message_external_id:
                _store_message(call, account)
            return call
        call.recording_sid = params.get("RecordingSid", "")[:64]
        call.recording_url = params["RecordingUrl"][:500]
        call.recording_duration = _int(params.get("RecordingDuration"))
        call.status = CallStatus.VOICEMAIL
        call.save(update_fields=["recording_sid", "recording_url", "recording_duration", "status", "updated_at"])
        # A missed call stored before the recording (callbacks out of order) still gets its voicemail.
        if not call.message_external_id.endswith(VOICEMAIL_SUFFIX):
            _store_message(call, account)
    return call


def record_transcription(*, params: dict[str, str]) -> Call:
    """Twilio's transcription of the voicemail: it becomes the message text, whenever it arrives."""
    with transaction.atomic():
        call = _locked_call(params)
        call.transcription_status = params.get("TranscriptionStatus", "")[:16]
        if call.transcription_status == "completed":
            call.transcription = params.get("TranscriptionText", "").strip()
        call.save(update_fields=["transcription", "transcription_status", "updated_at"])
        if call.message_external_id.endswith(VOICEMAIL_SUFFIX) and call.transcription:
            _sync_after_commit(call)
    return call


def sync_call(*, call_id: int) -> bool:
    """Link a call to the message it became and put a late transcription in its text.

    False while the message is not stored yet (its payload still waits in the inbox).
    """
    call = Call.objects.get(pk=call_id)
    if not call.message_external_id:
        return True
    message = (
        Message.objects.filter(channel=Channel.PHONE, external_id=call.message_external_id)
        .only("pk", "ticket_id", "body_text")
        .first()
    )
    if message is None:
        return False
    Call.objects.filter(pk=call.pk).update(ticket_id=message.ticket_id, message_id=message.pk)
    voicemail = call.message_external_id.endswith(VOICEMAIL_SUFFIX)
    if voicemail and call.transcription and message.body_text != call.transcription:
        set_voicemail_text(message_id=message.pk, text=call.transcription)
    return True


def set_voicemail_text(*, message_id: int, text: str) -> None:
    """Replace a stored voicemail's summary with its transcription."""
    revise_inbound_text(message_id=message_id, text=text, summary="A voicemail was transcribed")


def _store_message(call: Call, account: TwilioAccount) -> None:
    """Hand the finished call to the inbox (idempotent on its key); must hold the call's row lock."""
    voicemail = bool(call.recording_sid)
    key = message_external_id(call.call_sid, voicemail=voicemail)
    body = {
        "id": key,
        "call_sid": call.call_sid,
        "from": call.customer_number,
        "to": call.our_number,
        "direction": call.direction,
        "status": call.status,
        "duration": call.duration,
        "menu": call.menu_choices,
        "team_id": call.team_id or setup_for(call.our_number).team_id or account.team_id,
        "started_at": call.created_at.isoformat(),
        "recording": (
            {"sid": call.recording_sid, "url": call.recording_url, "duration": call.recording_duration}
            if voicemail
            else None
        ),
        "transcription": call.transcription,
    }
    accept_payload(channel=Channel.PHONE, external_id=key, body=json.dumps(body))
    call.message_external_id = key
    call.save(update_fields=["message_external_id", "updated_at"])
    _sync_after_commit(call)


def _sync_after_commit(call: Call) -> None:
    # Registered after the inbox's own drain, so on the embedded default the message exists by then.
    from channels_in.phone.tasks import sync_call_task  # tasks import this module

    call_id = call.pk
    transaction.on_commit(lambda: sync_call_task.delay(call_id), robust=True)


def _locked_call(params: dict[str, str]) -> Call:
    """The call of a callback, locked; created if its first webhook never reached us."""
    Call.objects.get_or_create(call_sid=params["CallSid"], defaults=_new_call(params))
    return Call.objects.select_for_update().get(call_sid=params["CallSid"])


def _new_call(params: dict[str, str]) -> dict:
    outbound = params.get("Direction", "inbound").startswith("outbound")
    customer, ours = params.get("From", ""), params.get("To", "") or params.get("Called", "")
    return {
        "direction": CallDirection.OUT if outbound else CallDirection.IN,
        "status": _status(params.get("CallStatus", "")),
        "customer_number": (ours if outbound else customer)[:32],
        "our_number": (customer if outbound else ours)[:32],
    }


def _status(twilio_status: str) -> str:
    if twilio_status in _RINGING:
        return CallStatus.RINGING
    return twilio_status if twilio_status in CallStatus.values else CallStatus.IN_PROGRESS


def _int(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def request_callback(
    *, ticket: Ticket, by, number: str, note: str = "", due_at: datetime | None = None
) -> CallbackRequest:
    """An open call-back on the ticket, shown in its sidebar until someone marks it done."""
    return CallbackRequest.objects.create(ticket=ticket, requested_by=by, number=number, note=note, due_at=due_at)


def complete_callback(*, callback: CallbackRequest, by) -> CallbackRequest:
    """Mark a call-back done; marking it again keeps who did it first."""
    if callback.done_at is None:
        callback.done_at, callback.done_by = timezone.now(), by
        callback.save(update_fields=["done_at", "done_by"])
    return callback


def log_outbound_call(*, ticket: Ticket, by, number: str, status: str, duration: int, notes: str) -> Call:
    """An outbound call an agent made by hand: the call record and an internal note on the ticket.

    The note goes through tickets.services.reply, so the timeline and the ticket's state stay its business.
    """
    label = dict(OUTCOMES)[status]
    minutes = f", {duration // 60} min {duration % 60} s" if duration else ""
    text = f"Outbound call to {number} ({label}{minutes})\n\n{notes.strip()}"
    with transaction.atomic():
        note = reply(ticket=ticket, author=by, text=text, internal=True)
        return Call.objects.create(
            direction=CallDirection.OUT,
            status=status,
            customer_number=number,
            duration=duration,
            notes=notes.strip(),
            ticket=ticket,
            message=note,
            logged_by=by,
        )
