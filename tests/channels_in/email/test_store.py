"""Raw mail -> stored messages, the step every e-mail transport shares."""

import base64

import pytest

from channels_in.email.store import RAW_FORMAT, IngestSummary, ingest_raw_mails, message_id, retry_failed_mail
from tests.channels_in.email.fixtures.transports.mails import BROKEN_ID, ORIGINAL_ID, load, plain
from tickets.models import Channel, FailedInbound, Message, Ticket
from tickets.services import IngestError, retry_failed_inbound, store_failed_inbound

pytestmark = pytest.mark.django_db


def test_a_batch_counts_new_tickets_follow_ups_and_failures_in_order():
    summary = ingest_raw_mails(
        [
            (load("original.eml"), "a"),
            (load("broken.eml"), "b"),
            (load("reply.eml"), "c"),
            (load("html-alternative.eml"), "d"),
        ]
    )

    assert (summary.created, summary.followups, summary.duplicates, summary.failed) == (2, 1, 0, 1)
    original, broken, reply, other = summary.outcomes
    assert isinstance(broken, IngestError)
    assert reply.ticket.pk == original.ticket.pk != other.ticket.pk
    assert Ticket.objects.count() == 2


def test_the_same_mails_again_are_all_duplicates():
    batch = [(load("original.eml"), "x"), (load("reply.eml"), "x")]
    ingest_raw_mails(batch)

    again = ingest_raw_mails(batch)

    assert (again.created, again.followups, again.duplicates, again.failed) == (0, 0, 2, 0)
    assert Message.objects.count() == 2


def test_an_unparseable_mail_is_kept_byte_for_byte_under_its_message_id():
    raw = load("broken.eml")

    ingest_raw_mails([(raw, "smtp")])

    failed = FailedInbound.objects.get()
    assert (failed.channel, failed.external_id, failed.payload_format) == (Channel.EMAIL, BROKEN_ID, RAW_FORMAT)
    assert failed.payload.encode("latin-1") == raw
    assert failed.error


def test_the_same_unparseable_mail_twice_is_kept_once():
    ingest_raw_mails([(load("broken.eml"), "smtp")])
    ingest_raw_mails([(load("broken.eml"), "smtp")])

    failed = FailedInbound.objects.get()
    assert failed.attempts == 2


def test_an_unparseable_mail_with_a_nul_byte_is_kept_as_base64():
    """PostgreSQL text cannot hold NUL, and the mail must still be kept exactly."""
    raw = load("broken.eml").replace(b"garbage", b"gar\x00bage")

    ingest_raw_mails([(raw, "smtp")])

    failed = FailedInbound.objects.get()
    assert base64.b64decode(failed.payload) == raw


def test_retry_stores_a_kept_mail_once_the_parser_can_read_it():
    # As if an older parser had refused it: the raw mail is all that was kept.
    raw = load("original.eml")
    failed = store_failed_inbound(
        channel=Channel.EMAIL, external_id=ORIGINAL_ID, payload=raw.decode("latin-1"), error="old bug", fmt=RAW_FORMAT
    )

    result = retry_failed_inbound(failed)  # what the admin's Retry action calls

    failed.refresh_from_db()
    assert result.created_ticket
    assert failed.state == FailedInbound.State.RETRIED
    assert failed.message == result.message
    assert result.message.external_id == ORIGINAL_ID


def test_retry_of_a_mail_that_still_cannot_be_parsed_records_the_attempt():
    ingest_raw_mails([(load("broken.eml"), "smtp")])
    failed = FailedInbound.objects.get()

    with pytest.raises(IngestError):
        retry_failed_mail(failed)

    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (FailedInbound.State.FAILED, 2)
    assert not Message.objects.exists()


def test_retry_of_a_mail_kept_as_base64():
    raw = plain(7).replace(b"my order", b"my\x00order")
    failed = store_failed_inbound(
        channel=Channel.EMAIL, external_id="", payload=base64.b64encode(raw).decode(), error="x", fmt="rfc822-base64"
    )

    result = retry_failed_mail(failed)

    assert result.message.external_id == "<order-7@example.com>"


def test_retry_refuses_a_payload_that_is_not_a_raw_mail():
    failed = store_failed_inbound(channel=Channel.SMS, external_id="SM1", payload="{}", error="x")

    with pytest.raises(ValueError, match="Not a stored raw mail"):
        retry_failed_mail(failed)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"Subject: x\r\nMessage-ID: <a@b>\r\n\r\nbody", "<a@b>"),
        (b"message-id:\r\n <folded@b>\r\nSubject: x\r\n\r\n", "<folded@b>"),
        (b"Subject: x\n\nMessage-ID: <in-the-body@b>\n", ""),
        (b"\xff\xfe not a mail", ""),
    ],
)
def test_message_id_is_read_from_the_header_only(raw, expected):
    assert message_id(raw) == expected


def test_summaries_add_up():
    total = IngestSummary(created=1, failed=2)
    total.add(IngestSummary(created=3, followups=1, duplicates=5))

    assert (total.created, total.followups, total.duplicates, total.failed, total.total) == (4, 1, 5, 2, 12)


def from_robot(number: int) -> bytes:
    return (
        "From: Robot <robot@example.org>\r\nTo: support@helpdesk.test\r\n"
        f"Subject: Alert {number}\r\nMessage-ID: <storm{number}@example.org>\r\n\r\nDisk full\r\n"
    ).encode()


def test_a_mail_storm_from_one_sender_is_kept_aside(settings):
    settings.INBOUND_EMAIL_MAX_PER_SENDER_PER_HOUR = 2
    mails = [(from_robot(i), "smtp") for i in range(4)]

    summary = ingest_raw_mails(mails)

    assert (summary.created, summary.failed) == (2, 2)
    kept = FailedInbound.objects.order_by("id")
    assert [f.external_id for f in kept] == ["<storm2@example.org>", "<storm3@example.org>"]
    assert "mail storm" in kept[0].error
    assert retry_failed_inbound(kept[0]).created_ticket  # an admin lets it in


def test_imported_mail_has_no_storm_limit(settings):
    from channels_in.email.store import IMPORTED

    settings.INBOUND_EMAIL_MAX_PER_SENDER_PER_HOUR = 2
    mails = [(from_robot(i), "import") for i in range(4)]
    assert ingest_raw_mails(mails, arrival=IMPORTED).created == 4


def test_a_mail_quoting_the_ticket_number_joins_the_ticket_even_without_reply_headers():
    first = ingest_raw_mails([(plain(1), "smtp")]).outcomes[0]
    number = first.ticket.pk
    again = (
        "From: Customer 1 <customer1@example.com>\r\nTo: support@helpdesk.test\r\n"
        f"Subject: Forgot the photo [#{number}]\r\nMessage-ID: <new-thread@example.com>\r\n\r\nHere it is\r\n"
    ).encode()
    stranger = again.replace(b"customer1@example.com", b"mallory@example.net").replace(b"new-thread", b"evil")

    joined, refused = ingest_raw_mails([(again, "smtp"), (stranger, "smtp")]).outcomes

    assert joined.ticket.pk == number and not joined.created_ticket
    assert refused.created_ticket  # a guessed number does not open someone else's ticket
