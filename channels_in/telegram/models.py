"""Telegram bots: the accounts customers write to, and the credentials to answer them."""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from helpdesk.fields import EncryptedTextField

# "<bot id>:<35 or so url-safe characters>", as @BotFather hands it out.
TOKEN_RE = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{20,}$")


def bot_id_from_token(token: str) -> int:
    """The bot's numeric id, the part of the token before ":"; ValidationError for a malformed token."""
    match = TOKEN_RE.match(token.strip())
    if match is None:
        raise ValidationError("This is not a bot token: expected '<digits>:<secret>' as @BotFather gives it.")
    return int(match.group(1))


def new_webhook_secret() -> str:
    # token_urlsafe stays within the characters Telegram allows in secret_token (A-Z a-z 0-9 _ -).
    return secrets.token_urlsafe(32)


class TelegramBot(models.Model):
    """One Telegram bot the helpdesk answers as.

    Configured in the admin; with none there, TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET
    describe one (`for_bot_id` returns that unsaved bot), for a single-bot setup and for tests.
    """

    name = models.CharField(max_length=100, unique=True)
    token = EncryptedTextField(help_text="From @BotFather. Never shown again once saved.")
    # Derived from the token on save; the webhook URL carries it, so Telegram's calls find the bot.
    bot_id = models.BigIntegerField("bot id", unique=True, editable=False)
    webhook_secret = EncryptedTextField(default=new_webhook_secret, editable=False)
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="telegram_bots"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.bot_id = bot_id_from_token(self.token)
        super().save(*args, **kwargs)

    @classmethod
    def from_environment(cls) -> "TelegramBot | None":
        token = settings.TELEGRAM_BOT_TOKEN
        if not token:
            return None
        return cls(
            name="environment",
            token=token,
            bot_id=bot_id_from_token(token),
            webhook_secret=settings.TELEGRAM_WEBHOOK_SECRET,
        )

    @classmethod
    def for_bot_id(cls, bot_id: int) -> "TelegramBot | None":
        """The active bot with this id (from the webhook URL or a stored message), else the environment's."""
        found = cls.objects.filter(active=True, bot_id=bot_id).first()
        if found:
            return found
        env_bot = cls.from_environment()
        return env_bot if env_bot is not None and env_bot.bot_id == bot_id else None

    @classmethod
    def default(cls) -> "TelegramBot | None":
        """The bot to use when a message does not say which one (a single-bot setup)."""
        return cls.objects.filter(active=True).first() or cls.from_environment()
