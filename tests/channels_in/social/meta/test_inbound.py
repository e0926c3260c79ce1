"""One test per fixture: what each Meta webhook event becomes (or why it becomes nothing)."""

import json
from datetime import UTC, datetime

import pytest

from channels_in.social.meta.inbound import messages_from, parse_event
from channels_in.social.meta.models import MetaPage
from tests.channels_in.social.meta.helpers import FIXTURES, IGSID, INSTAGRAM_ID, PAGE_ID, PSID
from tickets.inbound import RemoteMedia


def parse(name: str, teams: dict | None = None):
    return messages_from(json.loads((FIXTURES / name).read_text()), teams=teams or {})


def test_a_messenger_text_is_a_facebook_message_from_the_psid_to_the_page():
    (msg,) = parse("messenger_text.json", {PAGE_ID: 7})

    assert msg.channel == "facebook"
    assert msg.external_id.startswith("m_AG5Hz2Uq7tuwNEhX")
    assert (msg.sender_address, msg.channel_address, msg.team_id) == (PSID, PAGE_ID, 7)
    assert msg.text == "Hi, my order #4711 has not arrived yet."
    assert msg.conversation_id == f"{PAGE_ID}:{PSID}"
    assert msg.timestamp == datetime(2024, 11, 25, 1, 59, 59, 876000, tzinfo=UTC)


def test_a_quick_reply_keeps_its_payload():
    (msg,) = parse("messenger_quick_reply.json")

    assert msg.text == "Track my order"
    assert msg.meta == {"quick_reply_payload": "TRACK_ORDER"}


def test_an_image_is_remote_media_named_after_the_cdn_file():
    (msg,) = parse("messenger_image.json")

    assert msg.text == ""
    (media,) = msg.media
    assert isinstance(media, RemoteMedia)
    assert media.url.startswith("https://scontent.xx.fbcdn.net/v/t1.15752-9/467389112_")
    assert media.filename == "467389112_1243567890123456_8765432109876543210_n.jpg"


def test_a_postback_is_the_button_title_with_its_payload():
    (msg,) = parse("messenger_postback.json")

    assert msg.text == "Talk to a person"
    assert msg.meta == {"postback_payload": "HUMAN_HANDOVER"}
    assert msg.external_id.startswith("m_Pb4cK2tR9")


@pytest.mark.parametrize(
    "fixture", ["messenger_echo.json", "messenger_delivery.json", "messenger_read.json", "messenger_reaction.json"]
)
def test_echoes_receipts_and_reactions_are_not_messages(fixture):
    assert parse(fixture) == []


def test_an_instagram_dm_is_an_instagram_message_to_our_account():
    (msg,) = parse("instagram_dm.json")

    assert msg.channel == "instagram"
    assert (msg.sender_address, msg.channel_address) == (IGSID, INSTAGRAM_ID)
    assert msg.text == "Do you ship to Canada?"


def test_a_batch_gives_every_entrys_messages_in_order():
    msgs = parse("messenger_batch.json")

    assert [m.text for m in msgs] == ["Is the store open on Sunday?", "I was charged twice for order #5120."]
    assert len({m.conversation_id for m in msgs}) == 2


def test_unknown_objects_and_event_kinds_never_raise():
    odd = {
        "object": "page",
        "entry": [
            {"id": PAGE_ID, "messaging": [{"sender": {"id": PSID}, "optin": {"ref": "x"}}, "junk", {}]},
            "junk",
            {"id": PAGE_ID, "changes": [{"field": "feed"}]},
        ],
    }

    assert messages_from(odd, teams={}) == []
    assert messages_from({"object": "whatsapp_business_account", "entry": []}, teams={}) == []


def test_a_shared_post_is_kept_as_a_link_in_the_text():
    data = json.loads((FIXTURES / "instagram_dm.json").read_text())
    message = data["entry"][0]["messaging"][0]["message"]
    del message["text"]
    message["attachments"] = [
        {"type": "share", "payload": {"url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1"}}
    ]

    (msg,) = messages_from(data, teams={})

    assert msg.text == "[share] https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1"
    assert msg.media == ()


@pytest.mark.django_db
def test_parse_event_routes_to_the_team_of_the_page_it_arrived_on(team_billing):
    MetaPage.objects.create(
        page_id="200000000000001", name="Billing page", page_access_token="t", instagram_id="", team=team_billing
    )
    body = (FIXTURES / "messenger_text.json").read_text().replace(PAGE_ID, "200000000000001")

    (msg,) = parse_event(body)

    assert msg.team_id == team_billing.pk
