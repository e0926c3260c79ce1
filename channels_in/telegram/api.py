"""Calls to the Telegram Bot API, with its error answers turned into SendError(permanent=...).

Every method answers `{"ok": false, "error_code": ..., "description": ...}` on failure: 429 and
5xx are worth retrying (429 says after how long in `parameters.retry_after`); any other 4xx
(bad chat, bot blocked by the user, revoked token) will fail the same way again.
"""

import requests
from django.conf import settings

from channels_in.base import SendError
from channels_in.telegram.models import TelegramBot

# Seconds to connect and to wait for an answer; a Bot API call normally answers in well under one.
TIMEOUT = (5, 30)


def method_url(bot: TelegramBot, method: str) -> str:
    return f"{settings.TELEGRAM_API_URL}/bot{bot.token}/{method}"


def call(bot: TelegramBot, method: str, *, json: dict | None = None, data: dict | None = None, files=None):
    """Call a Bot API method and return its `result`; raises SendError on any failure."""
    try:
        response = requests.post(method_url(bot, method), json=json, data=data, files=files, timeout=TIMEOUT)
    except requests.RequestException as exc:
        # The exception text can include the URL, and with it the token: name only the kind.
        raise SendError(f"Telegram {method} failed: {type(exc).__name__}", permanent=False) from exc
    raise_for_response(method, response)
    return response.json()["result"]


def raise_for_response(method: str, response: requests.Response) -> None:
    """SendError with Telegram's own description unless the answer is a successful one."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.ok and isinstance(body, dict) and body.get("ok"):
        return
    status = response.status_code
    description = (body.get("description") if isinstance(body, dict) else "") or response.reason or "no answer"
    if status == 429:
        retry_after = ((body.get("parameters") or {}).get("retry_after")) if isinstance(body, dict) else None
        raise SendError(f"Telegram {method}: {description} (retry after {retry_after} s)", permanent=False)
    raise SendError(f"Telegram {method}: {description}", permanent=400 <= status < 500)
