"""Meta's webhook: GET is the subscription check, POST carries Messenger and Instagram events.

A POST is checked against the app secret before anything is parsed, stored raw in the inbox
(channels_in/inbox.py) and answered 200 at once; Meta retries anything else and disables a
webhook that keeps failing or answers slowly.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_in.inbox import accept_payload
from channels_in.social.meta.inbound import CHANNELS
from channels_in.social.meta.models import MetaApp

logger = logging.getLogger(__name__)


@csrf_exempt  # a machine endpoint, authenticated by its signature
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    return _verify_subscription(request) if request.method == "GET" else _receive(request)


def _verify_subscription(request: HttpRequest) -> HttpResponse:
    """Meta checks the callback URL by asking us to echo its challenge, given our verify token."""
    token = request.GET.get("hub.verify_token", "")
    known = any(hmac.compare_digest(token.encode(), t.encode()) for t in MetaApp.verify_tokens())
    if request.GET.get("hub.mode") != "subscribe" or not token or not known:
        return HttpResponse("Wrong mode or verify token.", status=403, content_type="text/plain")
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def _receive(request: HttpRequest) -> HttpResponse:
    limit = settings.META_WEBHOOK_MAX_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        return _too_big(limit)
    # Not request.body: it is capped at DATA_UPLOAD_MAX_MEMORY_SIZE, which is not this limit.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return _too_big(limit)
    if not signed_by_meta(raw, request.headers.get("X-Hub-Signature-256", "")):
        logger.warning("meta webhook: bad or missing signature from %s", request.META.get("REMOTE_ADDR"))
        return _error(403, "Bad or missing X-Hub-Signature-256.")
    try:
        body = raw.decode()
        data = json.loads(body)
    except ValueError:
        return _error(400, "The body is not UTF-8 JSON.")
    channel = CHANNELS.get(data.get("object")) if isinstance(data, dict) else None
    if channel is None:
        # Signed by Meta but not a subscription we handle (feed changes, ...): 200 stops the retries.
        return JsonResponse({"status": "ignored"})
    try:
        accept_payload(channel=channel, external_id="sha256:" + hashlib.sha256(raw).hexdigest(), body=body)
    except DatabaseError:
        logger.exception("meta webhook: payload not stored, Meta will retry")
        return _error(503, "The event could not be stored right now; try again later.")
    return JsonResponse({"status": "ok"})


def signed_by_meta(raw: bytes, header: str) -> bool:
    """True if `header` is "sha256=" + HMAC-SHA256 of the raw body under one of our app secrets."""
    scheme, _, given = header.partition("=")
    if scheme != "sha256" or not given:
        return False
    given_bytes = given.strip().lower().encode()  # bytes: compare_digest refuses non-ASCII str
    return any(
        hmac.compare_digest(hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest().encode(), given_bytes)
        for secret in MetaApp.app_secrets()
    )


def _too_big(limit: int) -> JsonResponse:
    return _error(400, f"The body is larger than the {filesizeformat(limit)} limit (META_WEBHOOK_MAX_BYTES).")


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"status": "error", "reason": reason}, status=status)
