"""Telling Telegram where to deliver a bot's updates (setWebhook), and to stop (deleteWebhook)."""

from django.conf import settings
from django.urls import reverse

from channels_in.telegram import api
from channels_in.telegram.models import TelegramBot

# Only what becomes a message (channels_in.telegram.inbound); Telegram then does not call us for the rest.
ALLOWED_UPDATES = ["message", "edited_message"]


def webhook_url(bot: TelegramBot) -> str:
    return settings.PUBLIC_URL + reverse("telegram:webhook", kwargs={"bot_id": bot.bot_id})


def register_webhook(bot: TelegramBot) -> str:
    """Point the bot's webhook at this helpdesk, with its secret; returns the URL. Raises SendError."""
    url = webhook_url(bot)
    api.call(
        bot,
        "setWebhook",
        json={"url": url, "secret_token": bot.webhook_secret, "allowed_updates": ALLOWED_UPDATES},
    )
    return url


def delete_webhook(bot: TelegramBot) -> None:
    """Stop deliveries; updates then wait at Telegram (for getUpdates) for up to 24 hours."""
    api.call(bot, "deleteWebhook", json={})
