"""The webhook inbox: payloads stored before the provider's 2xx, turned into messages in batches."""

import json

import pytest

from channels_in import inbox, registry
from channels_in.inbox_models import InboundPayload
from tickets.inbound import InboundMessage, RemoteMedia
from tickets.models import Channel, FailedInbound, Message

pytestmark = pytest.mark.django_db(transaction=True)


def parse_test_payload(body: str) -> list[InboundMessage]:
    data = json.loads(body)
    if "boom" in data:
        raise ValueError("unexpected payload shape")
    media = tuple(RemoteMedia(url, "image/png", "pic.png") for url in data.get("media", ()))
    return [
        InboundMessage(
            channel=Channel.SMS, external_id=data["id"], sender_address=data["from"], text=data["text"], media=media
        )
    ]


@pytest.fixture(autouse=True)
def _test_parser(monkeypatch):
    monkeypatch.setitem(registry._PARSERS, Channel.SMS, f"{__name__}.parse_test_payload")
    fetched = []

    def fetch(media):
        fetched.append(media.url)
        return b"\x89PNG", "image/png"

    monkeypatch.setattr(registry, "media_fetcher_for", lambda channel: fetch)
    import channels_in.tasks

    monkeypatch.setattr(channels_in.tasks, "media_fetcher_for", lambda channel: fetch)
    return fetched


def payload(external_id: str, **extra) -> str:
    return json.dumps({"id": external_id, "from": "+14155550100", "text": "Hi", **extra})


def test_an_accepted_payload_becomes_a_message_after_commit_and_leaves_the_inbox():
    assert inbox.accept_payload(channel=Channel.SMS, external_id="SM1", body=payload("SM1"))

    assert Message.objects.get().external_id == "SM1"
    assert not InboundPayload.objects.exists()


def test_a_provider_retry_of_a_pending_payload_is_a_no_op(monkeypatch):
    monkeypatch.setattr(inbox, "drain", lambda **kw: 0)  # the worker is busy: payloads wait
    import channels_in.tasks

    monkeypatch.setattr(channels_in.tasks.inbox, "drain", lambda **kw: 0)

    assert inbox.accept_payload(channel=Channel.SMS, external_id="SM1", body=payload("SM1"))
    assert not inbox.accept_payload(channel=Channel.SMS, external_id="SM1", body=payload("SM1"))
    assert InboundPayload.objects.count() == 1


def test_an_unparseable_payload_is_kept_for_the_admin_and_the_rest_go_on(monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(inbox.transaction, "on_commit", lambda *a, **kw: None)  # drain by hand below
        inbox.accept_payload(channel=Channel.SMS, external_id="SM1", body=payload("SM1"))
        inbox.accept_payload(channel=Channel.SMS, external_id="SM2", body=payload("SM2", boom=True))
        inbox.accept_payload(channel=Channel.SMS, external_id="SM3", body=payload("SM3"))

    assert inbox.drain() == 3

    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["SM1", "SM3"]
    failed = FailedInbound.objects.get()
    assert (failed.external_id, failed.payload_format) == ("SM2", "webhook-payload")
    assert "unexpected payload shape" in failed.error


def test_media_is_fetched_after_the_message_is_stored_and_attached(_test_parser):
    inbox.accept_payload(channel=Channel.SMS, external_id="MM1", body=payload("MM1", media=["https://api.example/m/1"]))

    message = Message.objects.get()
    assert _test_parser == ["https://api.example/m/1"]
    assert [(a.filename, a.file.read()) for a in message.attachments.all()] == [("pic.png", b"\x89PNG")]


def test_retry_of_a_kept_payload_stores_it(monkeypatch):
    failed = FailedInbound.objects.create(
        channel=Channel.SMS,
        external_id="SM9",
        payload=payload("SM9"),
        payload_format="webhook-payload",
        error="old bug",
    )
    from tickets.services import retry_failed_inbound

    result = retry_failed_inbound(failed)

    failed.refresh_from_db()
    assert failed.state == FailedInbound.State.RETRIED and failed.message == result.message
