"""Twilio Voice webhooks: the TwiML a caller hears, and the callbacks that report how the call went.

Configure the number in Twilio with "A call comes in" = /hooks/twilio/voice/ and "Call status
changes" = /hooks/twilio/voice/status/; the other URLs are named in the TwiML itself. Live transfer
to an agent is out of scope: a caller picks a team from the menu and leaves a voicemail, which
becomes a message on a ticket of that team (a call-back is then requested on the ticket).
"""

import logging
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import Gather, VoiceResponse

from channels_in.phone import services
from channels_in.phone.models import VoiceSetup
from channels_in.twilio.models import TwilioAccount
from channels_in.twilio.signature import verified_account

logger = logging.getLogger(__name__)

# Seconds the menu waits for a digit before going to voicemail.
MENU_TIMEOUT = 6


def _twilio_hook(view):
    """POST only, no CSRF (Twilio signs instead); a forged request gets 403 before anything is stored."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        account = verified_account(request)
        if account is None or not request.POST.get("CallSid"):
            logger.warning("twilio voice: unsigned or forged request to %s", request.path)
            return HttpResponseForbidden("Invalid Twilio signature.")
        return view(request, account)

    return wrapper


def _twiml(response: VoiceResponse) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")


def _params(request: HttpRequest) -> dict[str, str]:
    return request.POST.dict()


@_twilio_hook
def incoming(request: HttpRequest, account: TwilioAccount) -> HttpResponse:
    """A call comes in: the greeting and the team menu in business hours, else straight to voicemail."""
    params = _params(request)
    services.start_call(params=params)
    setup = services.setup_for(params.get("To", "") or params.get("Called", ""))
    response = VoiceResponse()
    if not services.is_answering(setup):
        response.say(setup.closed_greeting, language=setup.language)
        return _twiml(_voicemail(response, setup))
    response.say(setup.greeting, language=setup.language)
    _menu(response, setup)
    return _twiml(_voicemail(response, setup))  # reached when nobody chooses


@_twilio_hook
def menu(request: HttpRequest, account: TwilioAccount) -> HttpResponse:
    """The caller pressed a digit: remember it (it picks the team), then take a voicemail.

    An unknown digit plays the menu once more.
    """
    params = _params(request)
    setup = services.setup_for(params.get("To", "") or params.get("Called", ""))
    option = services.record_menu_choice(params=params, setup=setup)
    response = VoiceResponse()
    if option is None and services.menu_options(setup):
        _menu(response, setup)
    return _twiml(_voicemail(response, setup))


@_twilio_hook
def done(request: HttpRequest, account: TwilioAccount) -> HttpResponse:
    """<Record> ended: note that a recording is coming, thank the caller and hang up."""
    params = _params(request)
    services.expect_recording(params=params)
    setup = services.setup_for(params.get("To", "") or params.get("Called", ""))
    response = VoiceResponse()
    response.say(setup.goodbye, language=setup.language)
    response.hangup()
    return _twiml(response)


@_twilio_hook
def status(request: HttpRequest, account: TwilioAccount) -> HttpResponse:
    """Call status changes (CallStatus, CallDuration); the end of a call without voicemail is a missed call."""
    services.record_status(params=_params(request), account=account)
    return HttpResponse(status=204)


@_twilio_hook
def recording(request: HttpRequest, account: TwilioAccount) -> HttpResponse:
    """The voicemail can be fetched (RecordingUrl, RecordingSid, RecordingDuration): store the call's message."""
    services.record_recording(params=_params(request), account=account)
    return HttpResponse(status=204)


@_twilio_hook
def transcription(request: HttpRequest, account: TwilioAccount) -> HttpResponse:
    """The voicemail's text (TranscriptionText, TranscriptionStatus): it replaces the message's summary."""
    services.record_transcription(params=_params(request))
    return HttpResponse(status=204)


def _menu(response: VoiceResponse, setup: VoiceSetup) -> None:
    options = services.menu_options(setup)
    if not options:
        return
    gather = Gather(num_digits=1, action=reverse("phone:menu"), method="POST", timeout=MENU_TIMEOUT)
    for option in options:
        gather.say(option.spoken_label, language=setup.language)
    response.append(gather)


def _voicemail(response: VoiceResponse, setup: VoiceSetup) -> VoiceResponse:
    response.say(setup.voicemail_prompt, language=setup.language)
    record = {
        "max_length": setup.max_voicemail_seconds,
        "action": reverse("phone:done"),
        "method": "POST",
        "recording_status_callback": reverse("phone:recording"),
        "recording_status_callback_method": "POST",
        "recording_status_callback_event": "completed absent",
        "play_beep": True,
    }
    if setup.transcribe:
        record |= {"transcribe": True, "transcribe_callback": reverse("phone:transcription")}
    response.record(**record)
    return response
