"""Twilio webhooks: inbound SMS/MMS and WhatsApp, delivery-status callbacks, and our outbound media.

Inbound messages are only verified and stored raw (channels_in/inbox.py); a worker parses and
ingests them, so Twilio gets its answer in milliseconds. A forged request gets 403 and nothing is
stored; a malformed or oversized one gets 400 with the reason.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from channels_in.inbox import accept_payload
from channels_in.twilio.inbound import number
from channels_in.twilio.media import attachment_for_link
from channels_in.twilio.signature import verified_account
from tickets.models import Channel
from tickets.services import record_delivery_status

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

# Twilio error codes of failed deliveries, in words an agent can act on.
_DELIVERY_ERRORS = {
    "21610": "The recipient replied STOP and has unsubscribed.",
    "30003": "The handset is unreachable (switched off or out of coverage).",
    "30004": "The recipient blocked the message.",
    "30005": "The number is unknown or no longer in service.",
    "30006": "The number is a landline or cannot receive messages.",
    "30007": "The carrier filtered the message as spam.",
    "30008": "The carrier could not deliver the message.",
    "63016": "Outside WhatsApp's 24-hour window: only an approved template can be sent.",
}


@csrf_exempt  # machine endpoints, authenticated by Twilio's signature
@require_POST
def sms(request: HttpRequest) -> HttpResponse:
    return _inbound(request, Channel.SMS)


@csrf_exempt
@require_POST
def whatsapp(request: HttpRequest) -> HttpResponse:
    return _inbound(request, Channel.WHATSAPP)


@csrf_exempt
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    """Apply a delivery report (sent, delivered, read, failed) to our outbound message; idempotent."""
    refused = _refused(request, "MessageStatus")
    if refused:
        return refused
    sid, state = request.POST["MessageSid"], request.POST["MessageStatus"]
    code = request.POST.get("ErrorCode", "")
    error = ""
    if code:
        reason = _DELIVERY_ERRORS.get(code) or request.POST.get("ErrorMessage", "") or "Delivery failed."
        error = f"Twilio error {code}: {reason}"
    # A WhatsApp reply may have gone out as SMS (outbound.py), so the channel is only a first guess.
    likely = Channel.WHATSAPP if request.POST.get("From", "").startswith("whatsapp:") else Channel.SMS
    for channel in (likely, Channel.SMS if likely == Channel.WHATSAPP else Channel.WHATSAPP):
        if record_delivery_status(channel=channel, external_id=sid, status=state, error=error):
            break
    return HttpResponse(status=204)


@require_safe
def media(request: HttpRequest, token: str) -> FileResponse:
    """An attachment of an outbound MMS/WhatsApp reply, fetched by Twilio through a signed, expiring link."""
    attachment = attachment_for_link(token)
    if attachment is None:
        raise Http404("This link is invalid or has expired.")
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.filename)


def _inbound(request: HttpRequest, channel: str) -> HttpResponse:
    refused = _refused(request, "From")
    if refused:
        return refused
    sid = request.POST["MessageSid"]
    try:
        # Re-encoded from the parsed form: the same as Twilio's urlencoded body, whatever the encoding.
        accept_payload(channel=channel, external_id=sid, body=request.POST.urlencode())
    except DatabaseError:
        logger.exception("twilio %s webhook: %s not stored, Twilio may retry", channel, sid)
        return HttpResponse("Not stored right now; try again later.", status=503, content_type="text/plain")
    # Empty TwiML: no automatic answer; agents reply from the ticket.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


def _refused(request: HttpRequest, required: str) -> HttpResponse | None:
    """The error answer for an oversized, unsigned or malformed webhook; None when it may be processed."""
    limit = settings.TWILIO_WEBHOOK_MAX_BYTES
    # Checked before request.POST reads the body.
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        return _error(request, 400, f"The request is larger than {limit} bytes (TWILIO_WEBHOOK_MAX_BYTES).")
    if verified_account(request) is None:
        return _error(request, 403, "Missing or invalid X-Twilio-Signature.")
    missing = [name for name in ("MessageSid", required) if not number(request.POST.get(name, ""))]
    if missing:
        return _error(request, 400, f"Missing Twilio parameter(s): {', '.join(missing)}.")
    return None


def _error(request: HttpRequest, status_code: int, reason: str) -> HttpResponse:
    client = request.META.get("REMOTE_ADDR")
    logger.warning("twilio webhook %s from %s refused (%s): %s", request.path, client, status_code, reason)
    return HttpResponse(reason, status=status_code, content_type="text/plain")
