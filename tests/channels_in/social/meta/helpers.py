"""Constants and helpers for the Messenger and Instagram tests: fixtures on disk, signed posts."""

import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path

from django.urls import reverse

FIXTURES = Path(__file__).parent / "fixtures"
APP_SECRET = "test-app-secret-5f1c"
VERIFY_TOKEN = "verify-me-7d2a"
PAGE_ID = "104912345678901"
INSTAGRAM_ID = "17841405822304914"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAtestpagetoken"
PSID = "6798453216547891"
IGSID = "1183749205837461"


def load(name: str, *, at: datetime | None = None) -> bytes:
    """A fixture's raw bytes; `at` moves every event to that moment (for the messaging windows)."""
    raw = (FIXTURES / name).read_bytes()
    if at is None:
        return raw
    data = json.loads(raw)
    for entry in data["entry"]:
        for event in entry["messaging"]:
            event["timestamp"] = int(at.timestamp() * 1000)
    return json.dumps(data).encode()


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_webhook(client, body: bytes, *, signed: str | None = None):
    """POST as Meta does: JSON, signed over the raw bytes unless `signed` gives the header."""
    header = signature(body) if signed is None else signed
    extra = {"HTTP_X_HUB_SIGNATURE_256": header} if header else {}
    return client.post(reverse("meta:webhook"), data=body, content_type="application/json", **extra)
