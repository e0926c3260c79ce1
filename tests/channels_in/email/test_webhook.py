"""POST /hooks/email/inbound/: raw mail from a provider's inbound parse, behind a shared secret."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.channels_in.email.fixtures.transports.mails import BROKEN_ID, ORIGINAL_ID, load, plain
from tickets.models import FailedInbound, Message

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-shared-with-the-provider"
URL = "/hooks/email/inbound/"
BEARER = {"authorization": f"Bearer {SECRET}"}


@pytest.fixture(autouse=True)
def _configured(settings):
    settings.INBOUND_EMAIL_WEBHOOK_SECRET = SECRET
    settings.INBOUND_EMAIL_MAX_BYTES = 50_000


def post_raw(client, raw: bytes, **kw):
    return client.post(URL, data=raw, content_type="message/rfc822", **kw)


def test_the_url_is_named():
    assert reverse("email:inbound") == URL


def test_a_raw_mail_becomes_a_ticket(client):
    response = post_raw(client, load("original.eml"), headers=BEARER)

    assert response.status_code == 200
    message = Message.objects.get()
    assert response.json() == {"status": "ok", "ticket": message.ticket.number, "duplicate": False}
    assert message.external_id == ORIGINAL_ID


def test_a_redelivery_answers_the_same_ticket_as_a_duplicate(client):
    first = post_raw(client, load("original.eml"), headers=BEARER).json()

    again = post_raw(client, load("original.eml"), headers=BEARER).json()

    assert again == {"status": "ok", "ticket": first["ticket"], "duplicate": True}
    assert Message.objects.count() == 1


def test_the_secret_may_come_as_a_query_parameter_with_a_multipart_form(client):
    response = client.post(f"{URL}?secret={SECRET}", {"email": load("original.eml").decode(), "to": "support@x"})

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert Message.objects.get().external_id == ORIGINAL_ID


def test_a_multipart_file_field_is_read_byte_for_byte(client):
    """8-bit bytes in no charset: a decoded form field would have replaced them."""
    raw = load("broken.eml")
    upload = SimpleUploadedFile("mail.eml", raw, content_type="message/rfc822")

    response = client.post(URL, {"envelope": "{}", "email": upload}, headers=BEARER)

    assert response.json() == {"status": "stored-as-failed"}
    assert FailedInbound.objects.get().payload.encode("latin-1") == raw


def test_a_reply_threads_onto_the_ticket_it_answers(client):
    first = post_raw(client, load("original.eml"), headers=BEARER).json()

    reply = post_raw(client, load("reply.eml"), headers=BEARER).json()

    assert reply == {"status": "ok", "ticket": first["ticket"], "duplicate": False}


def test_an_unparseable_mail_is_kept_and_acknowledged_so_the_provider_stops(client):
    response = post_raw(client, load("broken.eml"), headers=BEARER)

    assert response.status_code == 200
    assert response.json() == {"status": "stored-as-failed"}
    assert FailedInbound.objects.get().external_id == BROKEN_ID


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {SECRET}"}, {"authorization": "Bearer"}],
)
def test_a_wrong_or_missing_secret_is_forbidden_and_nothing_is_stored(client, headers):
    response = post_raw(client, load("original.eml"), headers=headers)

    assert response.status_code == 403
    assert response.json()["reason"] == "Wrong or missing secret."
    assert not Message.objects.exists() and not FailedInbound.objects.exists()


def test_a_wrong_query_secret_is_forbidden(client):
    response = client.post(f"{URL}?secret=nope", {"email": load("original.eml").decode()})

    assert response.status_code == 403
    assert not Message.objects.exists()


def test_the_webhook_is_off_without_a_secret(client, settings):
    settings.INBOUND_EMAIL_WEBHOOK_SECRET = ""

    response = post_raw(client, load("original.eml"), headers={"authorization": "Bearer "})

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_a_raw_mail_over_the_limit_is_refused_with_a_reason(client):
    big = plain(1, body="x" * 60_000)

    response = post_raw(client, big, headers=BEARER)

    assert response.status_code == 413
    assert "limit (INBOUND_EMAIL_MAX_BYTES)" in response.json()["reason"]
    assert not Message.objects.exists() and not FailedInbound.objects.exists()


def test_a_form_field_over_the_limit_is_refused(client):
    response = client.post(URL, {"email": plain(1, body="x" * 60_000).decode()}, headers=BEARER)

    assert response.status_code == 413
    assert not Message.objects.exists()


def test_a_form_field_is_not_held_to_djangos_upload_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # the mail limit (50 KB here) is what counts

    response = client.post(URL, {"email": plain(1, body="x" * 20_000).decode()}, headers=BEARER)

    assert response.json()["status"] == "ok"


def test_a_mail_just_under_the_limit_is_taken_even_in_a_form(client):
    raw = plain(1, body="x" * 49_000)

    response = client.post(URL, {"email": SimpleUploadedFile("m.eml", raw)}, headers=BEARER)

    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"\r\n", "message/rfc822", 400),
        (b"{}", "application/json", 415),
    ],
)
def test_a_request_without_a_mail_is_refused_with_a_reason(client, data, content_type, status):
    response = client.post(URL, data=data, content_type=content_type, headers=BEARER)

    assert response.status_code == status
    assert response.json()["reason"]


def test_a_form_without_the_email_field_is_refused(client):
    response = client.post(URL, {"text": "hello"}, headers=BEARER)

    assert response.status_code == 400


def test_only_post(client):
    assert client.get(URL, headers=BEARER).status_code == 405


def test_mail_for_a_mailbox_address_goes_to_its_team(client, team_support):
    from channels_in.email.models import Mailbox

    Mailbox.objects.create(
        name="Support",
        address="support@helpdesk.test",
        host="imap.invalid",
        username="u",
        password="p",
        team=team_support,
    )

    response = client.post(
        f"{URL}?to=Support@helpdesk.test", data=load("original.eml"), content_type="message/rfc822", headers=BEARER
    )

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.ticket.team == team_support
    assert message.channel_address == "support@helpdesk.test"
