"""`manage.py telegram_webhook`: Telegram is told our URL and the secret the webhook checks."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from channels_in.telegram.models import TelegramBot
from tests.channels_in.telegram.conftest import API, BOT_ID, SECRET

pytestmark = pytest.mark.django_db

OK = {"ok": True, "result": True, "description": "Webhook was set"}


def test_set_webhook_sends_the_url_and_the_secret(telegram_api):
    call = telegram_api.post(f"{API}/setWebhook", json=OK)
    out = StringIO()

    call_command("telegram_webhook", stdout=out)

    assert json.loads(call.calls[0].request.body) == {
        "url": f"https://help.example.com/hooks/telegram/{BOT_ID}/",
        "secret_token": SECRET,
        "allowed_updates": ["message", "edited_message"],
    }
    assert f"webhook set to https://help.example.com/hooks/telegram/{BOT_ID}/" in out.getvalue()


def test_only_the_named_bot_is_registered_with_its_own_secret(telegram_api):
    bot = TelegramBot.objects.create(name="Acme", token=f"{BOT_ID + 1}:AAH-second-bot-token-0123456789")
    TelegramBot.objects.create(name="Other", token=f"{BOT_ID + 2}:AAH-third-bot-token-01234567890")
    call = telegram_api.post(f"https://api.telegram.org/bot{bot.token}/setWebhook", json=OK)

    call_command("telegram_webhook", "--bot", "Acme", stdout=StringIO())

    assert len(telegram_api.calls) == 1
    assert json.loads(call.calls[0].request.body)["secret_token"] == bot.webhook_secret


def test_delete_removes_the_webhook(telegram_api):
    call = telegram_api.post(f"{API}/deleteWebhook", json={"ok": True, "result": True})

    call_command("telegram_webhook", "--delete", stdout=StringIO())

    assert call.call_count == 1


def test_telegrams_refusal_is_reported(telegram_api):
    telegram_api.post(
        f"{API}/setWebhook",
        status=400,
        json={"ok": False, "error_code": 400, "description": "Bad Request: bad webhook: HTTPS url must be provided"},
    )

    with pytest.raises(CommandError, match="HTTPS url must be provided"):
        call_command("telegram_webhook", stdout=StringIO())
