"""Webhook transport: a mail provider's inbound parse posts each received mail as raw MIME.

The provider authenticates with a shared secret (INBOUND_EMAIL_WEBHOOK_SECRET). Once a mail is
stored, as a Message or as a FailedInbound for an admin, the answer is 200 so the provider does
not send it again; only a mail we could not store gets an error, and the provider retries it.
"""

import hmac
import logging
from email.utils import parseaddr

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import parse_header_parameters
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_in.email.store import Arrival, ingest_raw_mails
from tickets.services import IngestError

logger = logging.getLogger(__name__)

# Room for the boundaries, part headers and other fields a provider adds around the mail.
_FORM_OVERHEAD = 256 * 1024


@csrf_exempt  # a machine endpoint, authenticated by its secret
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """Store one raw mail, sent as message/rfc822 or as the field "email" of multipart/form-data."""
    secret = settings.INBOUND_EMAIL_WEBHOOK_SECRET
    if not secret:
        raise Http404("The inbound e-mail webhook is disabled.")
    if not _authorised(request, secret):
        logger.warning("email webhook: wrong or missing secret from %s", request.META.get("REMOTE_ADDR"))
        return _error(403, "Wrong or missing secret.")
    limit = settings.INBOUND_EMAIL_MAX_BYTES
    multipart = request.content_type == "multipart/form-data"
    if not multipart and request.content_type != "message/rfc822":
        return _error(415, 'Send the mail as message/rfc822, or as the field "email" of multipart/form-data.')
    allowed = limit + (_FORM_OVERHEAD if multipart else 0)
    # Not request.body: it is capped at DATA_UPLOAD_MAX_MEMORY_SIZE, which is not the mail limit.
    if int(request.META.get("CONTENT_LENGTH") or 0) > allowed:
        return _too_big(limit)
    body = request.read(allowed + 1)
    if len(body) > allowed:
        return _too_big(limit)
    raw = _form_field(body, request.META["CONTENT_TYPE"], "email") if multipart else body
    if not raw or not raw.strip():
        return _error(400, 'No mail in the request (empty body, or no "email" field).')
    if len(raw) > limit:
        return _too_big(limit)
    try:
        outcome = ingest_raw_mails([(raw, "webhook")], arrival=Arrival.live(_recipient(request, body))).outcomes[0]
    except DatabaseError:
        logger.exception("email webhook: mail not stored, the provider will retry")
        return _error(503, "The mail could not be stored right now; try again later.")
    if isinstance(outcome, IngestError):
        return JsonResponse({"status": "stored-as-failed"})
    return JsonResponse({"status": "ok", "ticket": outcome.ticket.number, "duplicate": outcome.duplicate})


def _recipient(request: HttpRequest, body: bytes) -> str:
    """Our address the mail was delivered to: `?to=` (one webhook URL per address) or a "to" field."""
    if request.GET.get("to"):
        return request.GET["to"][:320]
    if request.content_type == "multipart/form-data":
        field = _form_field(body, request.META["CONTENT_TYPE"], "to") or b""
        return parseaddr(field.decode("utf-8", "replace"))[1][:320]
    return ""


def _authorised(request: HttpRequest, secret: str) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    given = token.strip() if scheme.lower() == "bearer" else request.GET.get("secret", "")
    return hmac.compare_digest(given.encode(), secret.encode())


def _form_field(body: bytes, content_type: str, name: str) -> bytes | None:
    """The exact bytes of one field of a multipart/form-data body.

    Not request.POST: Django decodes text fields to str, replacing the bytes that are not UTF-8
    (which 8-bit mail may have), and caps them at DATA_UPLOAD_MAX_MEMORY_SIZE.
    """
    boundary = parse_header_parameters(content_type)[1].get("boundary", "")
    if not boundary:
        return None
    # Each part follows "\r\n--boundary" (the first may follow the bare delimiter); the closing
    # delimiter adds "--".
    for part in (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, found, content = part.partition(b"\r\n\r\n")
        if not found:
            continue
        for line in head.split(b"\r\n"):
            key, _, value = line.decode("latin-1").partition(":")
            if key.strip().lower() == "content-disposition" and parse_header_parameters(value)[1].get("name") == name:
                return content
    return None


def _too_big(limit: int) -> JsonResponse:
    return _error(413, f"The mail is larger than the {filesizeformat(limit)} limit (INBOUND_EMAIL_MAX_BYTES).")


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"status": "error", "reason": reason}, status=status)
