"""The bot form in the admin: the token is never shown back, and an empty field keeps it."""

import pytest
from django.db import connection

from channels_in.telegram.admin import TelegramBotForm
from channels_in.telegram.models import TelegramBot
from tests.channels_in.telegram.conftest import BOT_ID

pytestmark = pytest.mark.django_db

TOKEN_2 = f"{BOT_ID + 1}:AAH-second-bot-token-0123456789"


def test_a_new_bot_gets_its_id_from_the_token_and_a_webhook_secret():
    form = TelegramBotForm(data={"name": "Acme", "token": TOKEN_2, "active": "on"})

    bot = form.save()

    bot.refresh_from_db()
    assert (bot.bot_id, bot.token) == (BOT_ID + 1, TOKEN_2)
    assert len(bot.webhook_secret) >= 32


def test_the_token_is_not_rendered_and_an_empty_field_keeps_it():
    bot = TelegramBot.objects.create(name="Acme", token=TOKEN_2)

    assert TOKEN_2 not in str(TelegramBotForm(instance=bot))
    TelegramBotForm(data={"name": "Acme renamed", "token": "", "active": "on"}, instance=bot).save()

    bot.refresh_from_db()
    assert (bot.name, bot.token) == ("Acme renamed", TOKEN_2)


@pytest.mark.parametrize(
    ("token", "error"),
    [("not-a-token", "not a bot token"), (TOKEN_2, "already configured")],
)
def test_bad_or_duplicate_tokens_are_refused(token, error):
    TelegramBot.objects.create(name="Acme", token=TOKEN_2)

    form = TelegramBotForm(data={"name": "Another", "token": token, "active": "on"})

    assert not form.is_valid()
    assert error in str(form.errors["token"])


def test_the_token_and_the_secret_are_stored_encrypted():
    bot = TelegramBot.objects.create(name="Acme", token=TOKEN_2)

    with connection.cursor() as cursor:
        cursor.execute("SELECT token, webhook_secret FROM channels_telegram_telegrambot WHERE id = %s", [bot.pk])
        token, secret = cursor.fetchone()
    assert token.startswith("fernet:") and secret.startswith("fernet:")
    assert TOKEN_2 not in token
