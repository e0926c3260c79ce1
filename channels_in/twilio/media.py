"""Media both ways: downloading what customers send (MMS, WhatsApp), linking what agents attach.

Twilio keeps inbound media behind HTTP basic auth (when the account enforces it) and redirects to
its CDN; outbound media must be a public URL Twilio can fetch, so replies carry signed, expiring
links to their attachments.
"""

import re
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core import signing
from django.urls import reverse

from channels_in.base import SendError
from channels_in.twilio.models import TwilioAccount
from tickets.inbound import RemoteMedia
from tickets.models import Attachment

FETCH_TIMEOUT = 30
MEDIA_LINK_SALT = "channels_in.twilio.media"
# Twilio fetches media when it sends; a day covers its own retries and queued messages.
MEDIA_LINK_MAX_AGE = 24 * 3600

_ACCOUNT_IN_URL = re.compile(r"/Accounts/([A-Za-z0-9]+)/")


def fetch(media: RemoteMedia) -> tuple[bytes, str]:
    """Download one media file; returns its bytes and content type.

    Raises SendError: permanent when Twilio says the file is gone (404) or refuses us, retryable
    on timeouts, connection errors, rate limits and 5xx.
    """
    try:
        response = requests.get(media.url, auth=_credentials(media.url), timeout=FETCH_TIMEOUT, allow_redirects=True)
    except requests.RequestException as exc:
        raise SendError(f"Could not download {media.url}: {exc}", permanent=False) from exc
    if response.status_code >= 400:
        retryable = response.status_code >= 500 or response.status_code in (408, 429)
        raise SendError(f"Downloading {media.url} failed: HTTP {response.status_code}", permanent=not retryable)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return response.content, content_type or media.content_type or "application/octet-stream"


def _credentials(url: str) -> tuple[str, str] | None:
    """The account SID and token for Twilio's own URLs only: credentials never go to another host.

    The account is the one whose SID is in the URL, else the environment's.
    """
    host = urlsplit(url).hostname or ""
    if not (host == "twilio.com" or host.endswith(".twilio.com")):
        return None
    found = _ACCOUNT_IN_URL.search(urlsplit(url).path)
    account = None
    if found:
        account = TwilioAccount.objects.filter(active=True, account_sid=found.group(1)).first()
    account = account or TwilioAccount.from_environment()
    return (account.account_sid, account.auth_token) if account else None


def media_link(attachment: Attachment) -> str:
    """A public URL Twilio can fetch the attachment from, valid for MEDIA_LINK_MAX_AGE."""
    token = signing.dumps(attachment.pk, salt=MEDIA_LINK_SALT)
    return settings.PUBLIC_URL + reverse("twilio:media", args=[token])


def attachment_for_link(token: str) -> Attachment | None:
    """The stored attachment a media link points to; None for a forged or expired link."""
    try:
        pk = signing.loads(token, salt=MEDIA_LINK_SALT, max_age=MEDIA_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return Attachment.objects.exclude(file="").filter(pk=pk).first()
