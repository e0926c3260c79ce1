"""The /hooks/meta/ webhook: Meta's subscription check, signatures, and events becoming tickets."""

import pytest
from django.urls import reverse

from channels_in.inbox_models import InboundPayload
from channels_in.social.meta.models import MetaApp, MetaPage
from tests.channels_in.social.meta.helpers import (
    IGSID,
    INSTAGRAM_ID,
    PAGE_ID,
    PSID,
    VERIFY_TOKEN,
    load,
    post_webhook,
    signature,
)
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def verify(client, token: str, mode: str = "subscribe"):
    query = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "1158201444"}
    return client.get(reverse("meta:webhook"), query)


def test_the_subscription_check_echoes_the_challenge_as_plain_text(client):
    response = verify(client, VERIFY_TOKEN)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


def test_the_subscription_check_with_a_verify_token_from_the_admin(client):
    MetaApp.objects.create(name="Shop app", app_secret="s", verify_token="admin-token")

    assert verify(client, "admin-token").content == b"1158201444"


@pytest.mark.parametrize(("token", "mode"), [("wrong", "subscribe"), ("", "subscribe"), (VERIFY_TOKEN, "unsubscribe")])
def test_the_subscription_check_with_a_wrong_token_or_mode_is_refused(client, token, mode):
    response = verify(client, token, mode)

    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_a_signed_text_message_becomes_a_ticket(client):
    response = post_webhook(client, load("messenger_text.json"))

    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.channel, message.address, message.channel_address) == ("facebook", PSID, PAGE_ID)
    assert message.body_text == "Hi, my order #4711 has not arrived yet."
    assert message.ticket.channel == "facebook"
    assert message.ticket.customer.identities.get().address == PSID
    assert not InboundPayload.objects.exists()


def test_a_payload_signed_with_a_secret_from_the_admin_is_accepted(client, settings):
    settings.META_APP_SECRET = ""
    MetaApp.objects.create(name="Shop app", app_secret="admin-secret", verify_token="v")
    body = load("messenger_text.json")

    assert post_webhook(client, body, signed=signature(body, "admin-secret")).status_code == 200
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=ünïcode"],
    ids=["missing", "forged", "wrong-scheme", "non-ascii"],
)
def test_a_forged_or_unsigned_post_is_refused_and_nothing_is_stored(client, header):
    response = post_webhook(client, load("messenger_text.json"), signed=header)

    assert response.status_code == 403
    assert not InboundPayload.objects.exists()
    assert not Message.objects.exists()


def test_a_signature_over_other_bytes_is_refused(client):
    body = load("messenger_text.json")
    response = post_webhook(client, body.replace(b"4711", b"4712"), signed=signature(body))

    assert response.status_code == 403
    assert not Message.objects.exists()


def test_malformed_json_is_refused_with_a_reason(client):
    response = post_webhook(client, b'{"object": "page", "entry": [')

    assert response.status_code == 400
    assert "JSON" in response.json()["reason"]
    assert not InboundPayload.objects.exists()


def test_a_body_over_the_limit_is_refused_with_a_reason(client, settings):
    settings.META_WEBHOOK_MAX_BYTES = 100

    response = post_webhook(client, load("messenger_text.json"))

    assert response.status_code == 400
    assert "META_WEBHOOK_MAX_BYTES" in response.json()["reason"]
    assert not InboundPayload.objects.exists()


def test_a_subscription_we_do_not_handle_is_acknowledged_and_dropped(client):
    response = post_webhook(client, b'{"object": "user", "entry": [{"id": "1", "changes": []}]}')

    assert response.json() == {"status": "ignored"}
    assert not InboundPayload.objects.exists()


def test_the_same_payload_twice_gives_one_message(client):
    body = load("messenger_text.json")

    assert post_webhook(client, body).status_code == 200
    assert post_webhook(client, body).status_code == 200

    assert Message.objects.count() == 1


def test_a_batch_with_two_entries_gives_two_tickets(client):
    post_webhook(client, load("messenger_batch.json"))

    assert sorted(Message.objects.values_list("body_text", flat=True)) == [
        "I was charged twice for order #5120.",
        "Is the store open on Sunday?",
    ]
    assert Ticket.objects.count() == 2


def test_echoes_and_receipts_store_nothing(client):
    for name in ["messenger_echo.json", "messenger_delivery.json", "messenger_read.json", "messenger_reaction.json"]:
        assert post_webhook(client, load(name)).status_code == 200

    assert not Message.objects.exists()
    assert not InboundPayload.objects.exists()


def test_an_image_is_fetched_from_the_cdn_and_attached(client, graph):
    body = load("messenger_image.json")
    url = "https://scontent.xx.fbcdn.net/v/t1.15752-9/467389112_1243567890123456_8765432109876543210_n.jpg"
    graph.get(url, body=b"\xff\xd8\xff\xe0JFIF", content_type="image/jpeg")

    post_webhook(client, body)

    attachment = Message.objects.get().attachments.get()
    assert attachment.filename == "467389112_1243567890123456_8765432109876543210_n.jpg"
    assert attachment.content_type == "image/jpeg"
    assert attachment.file.read() == b"\xff\xd8\xff\xe0JFIF"


def test_an_expired_cdn_link_leaves_the_message_without_the_file(client, graph):
    url = "https://scontent.xx.fbcdn.net/v/t1.15752-9/467389112_1243567890123456_8765432109876543210_n.jpg"
    graph.get(url, status=403, body=b"URL signature expired")

    post_webhook(client, load("messenger_image.json"))

    assert not Message.objects.get().attachments.exists()
    assert len(graph.calls) == 1  # refused for good: not retried


def test_an_instagram_dm_lands_on_the_instagram_channel(client):
    post_webhook(client, load("instagram_dm.json"))

    message = Message.objects.get()
    assert (message.channel, message.address, message.channel_address) == ("instagram", IGSID, INSTAGRAM_ID)
    assert message.ticket.channel == "instagram"


def test_a_message_to_a_page_with_a_team_goes_to_that_team(client, team_billing, settings):
    settings.META_PAGE_ID = settings.META_PAGE_TOKEN = ""
    MetaPage.objects.create(page_id=PAGE_ID, name="Shop", page_access_token="EAA-admin", team=team_billing)

    post_webhook(client, load("messenger_text.json"))

    assert Ticket.objects.get().team == team_billing
