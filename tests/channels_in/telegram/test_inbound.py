"""One test per real-shaped Update: what an agent will see of it."""

from datetime import UTC, datetime

import pytest

from channels_in.telegram.inbound import envelope, parse_update
from tests.channels_in.telegram.conftest import BOT_ID, update
from tickets.inbound import RemoteMedia


def parse(name: str, team_id: int | None = None):
    return parse_update(envelope(bot_id=BOT_ID, team_id=team_id, raw_update=update(name)))


def test_text_message_from_a_private_chat():
    (msg,) = parse("text", team_id=3)

    assert msg.channel == "telegram"
    assert msg.external_id == f"{BOT_ID}:5123456789:17"
    assert (msg.sender_address, msg.sender_name) == ("5123456789", "Pat Doe")
    assert msg.text == "Hi, my order #4411 has not arrived yet."
    assert msg.timestamp == datetime(2025, 11, 25, 0, 20, tzinfo=UTC)
    assert (msg.conversation_id, msg.channel_address, msg.team_id) == ("5123456789", str(BOT_ID), 3)
    assert msg.meta == {"username": "patdoe"}
    assert msg.media == ()


def test_photo_keeps_the_caption_and_fetches_only_the_largest_size():
    (msg,) = parse("photo_caption")

    assert msg.text == "The parcel arrived like this"
    assert msg.media == (RemoteMedia(f"tg-file:{BOT_ID}:AgACAgIAAxkBAAMSZ0large", "image/jpeg", "photo-18.jpg"),)


def test_document_keeps_its_name_and_type():
    (msg,) = parse("document")

    assert msg.text == ""
    assert msg.media == (RemoteMedia(f"tg-file:{BOT_ID}:BQACAgIAAxkBAAMTZ0doc", "application/pdf", "invoice-4411.pdf"),)


def test_voice_message_is_an_ogg_file_and_a_username_only_sender_is_named_by_it():
    (msg,) = parse("voice")

    assert msg.sender_name == "Pat"
    assert msg.media == (RemoteMedia(f"tg-file:{BOT_ID}:AwACAgIAAxkBAAMUZ0voice", "audio/ogg", "voice-20.ogg"),)


def test_edit_is_a_new_message_next_to_the_original():
    (msg,) = parse("edited_message")

    assert msg.external_id == f"{BOT_ID}:5123456789:17:edited:1764030095"
    assert msg.reply_to_ids == (f"{BOT_ID}:5123456789:17",)
    assert msg.meta["edited"] is True
    assert msg.text == "Hi, my order #4412 has not arrived yet."
    assert msg.timestamp == datetime.fromtimestamp(1764030095, tz=UTC)


def test_sticker_is_shown_as_its_emoji_without_a_download():
    (msg,) = parse("sticker")

    assert msg.text == "[sticker 😀]"
    assert msg.media == ()


def test_location_reply_is_text_with_a_map_link_and_threads_on_our_message():
    (msg,) = parse("location_reply")

    assert msg.text == ("[location 52.520008, 13.404954] https://www.openstreetmap.org/?mlat=52.520008&mlon=13.404954")
    assert msg.reply_to_ids == (f"{BOT_ID}:5123456789:22",)


@pytest.mark.parametrize("name", ["my_chat_member", "callback_query", "group_message"])
def test_updates_without_a_customer_message_give_none(name):
    assert parse(name) == []


def test_an_update_kind_telegram_adds_later_is_ignored():
    body = envelope(bot_id=BOT_ID, team_id=None, raw_update='{"update_id": 1, "business_connection": {"id": "x"}}')
    assert parse_update(body) == []
