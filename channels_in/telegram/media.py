"""Download a file a customer sent to a bot: getFile names it, then the file URL serves it."""

import requests
from django.conf import settings

from channels_in.base import SendError
from channels_in.telegram import api
from channels_in.telegram.models import TelegramBot
from tickets.inbound import RemoteMedia

# Telegram lets bots download files up to 20 MB; a larger one can only be seen in the Telegram app.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
TOO_BIG = "The file is larger than the 20 MB Telegram lets bots download; ask the customer to send it another way."


def fetch(media: RemoteMedia) -> tuple[bytes, str]:
    """The content and type of a "tg-file:<bot id>:<file id>" file; SendError(permanent=...) on failure."""
    scheme, _, rest = media.url.partition(":")
    bot_id, _, file_id = rest.partition(":")
    if scheme != "tg-file" or not bot_id.isdigit() or not file_id:
        raise SendError(f"{media.url!r} is not a Telegram file reference.", permanent=True)
    bot = TelegramBot.for_bot_id(int(bot_id))
    if bot is None:
        raise SendError(f"Telegram bot {bot_id} is no longer configured, so its files cannot be read.", permanent=True)
    try:
        found = api.call(bot, "getFile", json={"file_id": file_id})
    except SendError as exc:
        if "file is too big" in str(exc):
            raise SendError(TOO_BIG, permanent=True) from exc
        raise
    if found.get("file_size", 0) > MAX_DOWNLOAD_BYTES:
        raise SendError(TOO_BIG, permanent=True)
    if not found.get("file_path"):
        raise SendError("Telegram gave no download path for the file.", permanent=False)
    try:
        response = requests.get(
            f"{settings.TELEGRAM_API_URL}/file/bot{bot.token}/{found['file_path']}", timeout=api.TIMEOUT
        )
    except requests.RequestException as exc:
        raise SendError(f"Telegram file download failed: {type(exc).__name__}", permanent=False) from exc
    if not response.ok:
        raise SendError(
            f"Telegram file download: HTTP {response.status_code}", permanent=400 <= response.status_code < 500
        )
    content_type = media.content_type or response.headers.get("Content-Type", "") or "application/octet-stream"
    return response.content, content_type
