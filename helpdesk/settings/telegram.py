"""Telegram: one bot from the environment (single-bot setup, tests); more bots in the admin."""

import re

from django.core.exceptions import ImproperlyConfigured

from .env import env

# From @BotFather, "123456789:AA..."; the part before ":" is the bot id in the webhook URL.
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
# Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -).
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
# A self-hosted Bot API server (https://github.com/tdlib/telegram-bot-api) instead of Telegram's.
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")

# Checked here so a typo fails at start-up, not as an error on every webhook call.
if TELEGRAM_BOT_TOKEN and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", TELEGRAM_BOT_TOKEN):
    raise ImproperlyConfigured("TELEGRAM_BOT_TOKEN must look like '<digits>:<secret>', as @BotFather gives it.")
if TELEGRAM_WEBHOOK_SECRET and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", TELEGRAM_WEBHOOK_SECRET):
    raise ImproperlyConfigured("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -, at most 256 of them.")
