"""Telegram's webhook calls, end to end: secret check, the inbox, tickets, media downloads."""

import json

import pytest
import responses

from channels_in.inbox_models import InboundPayload
from channels_in.telegram.models import TelegramBot
from tests.channels_in.telegram.conftest import API, BOT_ID, SECRET, TOKEN, update
from tickets.models import Channel, Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

URL = f"/hooks/telegram/{BOT_ID}/"


def post(client, body: str, *, secret: str | None = SECRET, url: str = URL):
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_text_update_becomes_a_ticket_from_the_customer(client):
    response = post(client, update("text"))

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.TELEGRAM
    assert ticket.conversation_id == "5123456789"
    assert ticket.customer.name == "Pat Doe"
    assert ticket.customer.identities.get().address == "5123456789"
    message = ticket.messages.get()
    assert message.body_text == "Hi, my order #4411 has not arrived yet."
    assert message.channel_address == str(BOT_ID)
    assert not InboundPayload.objects.exists()


def test_the_same_update_delivered_twice_gives_one_message(client):
    assert post(client, update("text")).status_code == 200
    assert post(client, update("text")).status_code == 200

    assert Message.objects.count() == 1


def test_an_edit_lands_on_the_same_ticket_as_a_second_message(client):
    post(client, update("text"))
    post(client, update("edited_message"))

    ticket = Ticket.objects.get()
    assert [m.meta.get("edited", False) for m in ticket.messages.order_by("id")] == [False, True]


@pytest.mark.parametrize("secret", ["wrong-secret", "", None])
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(client, secret):
    response = post(client, update("text"), secret=secret)

    assert response.status_code == 403
    assert not InboundPayload.objects.exists()
    assert not Message.objects.exists()


def test_an_unknown_bot_is_not_found(client):
    assert post(client, update("text"), url="/hooks/telegram/999/").status_code == 404


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json {", "not JSON"),
        ('{"message": {}}', "no update_id"),
        ("[1, 2]", "no update_id"),
        (json.dumps({"update_id": 1, "padding": "x" * 300_000}), "larger than"),
    ],
)
def test_a_malformed_body_is_a_400_with_the_reason(client, body, reason):
    response = post(client, body)

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not InboundPayload.objects.exists()


@pytest.mark.parametrize("name", ["my_chat_member", "group_message"])
def test_updates_that_are_no_customer_message_are_acknowledged_and_make_no_ticket(client, name):
    assert post(client, update(name)).status_code == 200
    assert not Ticket.objects.exists()


def test_a_photo_is_downloaded_and_attached_to_its_message(client, telegram_api):
    get_file = telegram_api.post(
        f"{API}/getFile",
        json={
            "ok": True,
            "result": {"file_id": "AgACAgIAAxkBAAMSZ0large", "file_size": 4, "file_path": "photos/file_7.jpg"},
        },
        match=[responses.matchers.json_params_matcher({"file_id": "AgACAgIAAxkBAAMSZ0large"})],
    )
    telegram_api.get(
        f"https://api.telegram.org/file/bot{TOKEN}/photos/file_7.jpg",
        body=b"\xff\xd8\xff\xe0",
        content_type="image/jpeg",
    )

    post(client, update("photo_caption"))

    message = Message.objects.get()
    assert message.body_text == "The parcel arrived like this"
    assert get_file.call_count == 1
    (attachment,) = message.attachments.all()
    assert (attachment.filename, attachment.content_type) == ("photo-18.jpg", "image/jpeg")
    assert attachment.file.read() == b"\xff\xd8\xff\xe0"


def test_a_bot_from_the_admin_uses_its_own_secret_and_files_tickets_for_its_team(client, team_support):
    bot = TelegramBot.objects.create(
        name="Acme", token=f"{BOT_ID + 1}:AAH-second-bot-token-0123456789", team=team_support
    )
    url = f"/hooks/telegram/{bot.bot_id}/"

    assert post(client, update("text"), url=url).status_code == 403  # the environment's secret is not its secret
    assert post(client, update("text"), url=url, secret=bot.webhook_secret).status_code == 200

    ticket = Ticket.objects.get()
    assert ticket.team == team_support
    assert ticket.messages.get().channel_address == str(bot.bot_id)
