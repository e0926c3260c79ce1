"""Telegram's webhook: check the secret, keep the update, answer 200 at once (see channels_in/inbox.py)."""

import hmac
import json

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_in.inbox import accept_payload
from channels_in.telegram.inbound import envelope
from channels_in.telegram.models import TelegramBot
from tickets.models.choices import Channel

# A text update is a few kilobytes; this leaves room for long captions and entities, and no more.
MAX_BODY_BYTES = 256 * 1024


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, bot_id: int) -> HttpResponse:
    """One Update from Telegram, as set up by `manage.py telegram_webhook`.

    Telegram signs nothing; it echoes the secret_token given to setWebhook in a header, which is
    what proves the call is Telegram's. A wrong or missing one gets 403 and nothing is stored.
    """
    bot = TelegramBot.for_bot_id(bot_id)
    if bot is None:
        return HttpResponseNotFound("No such Telegram bot here.")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not (bot.webhook_secret and given and hmac.compare_digest(given.encode(), bot.webhook_secret.encode())):
        return HttpResponseForbidden("Wrong or missing X-Telegram-Bot-Api-Secret-Token.")
    if len(request.body) > MAX_BODY_BYTES:
        return HttpResponseBadRequest(f"The update is larger than {MAX_BODY_BYTES} bytes.")
    try:
        raw = request.body.decode()
        update = json.loads(raw)
    except ValueError:
        return HttpResponseBadRequest("The body is not JSON.")
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return HttpResponseBadRequest("The body is not a Telegram Update (no update_id).")
    accept_payload(
        channel=Channel.TELEGRAM,
        external_id=f"{bot.bot_id}:{update['update_id']}",
        body=envelope(bot_id=bot.bot_id, team_id=bot.team_id, raw_update=raw),
    )
    return HttpResponse(status=200)
