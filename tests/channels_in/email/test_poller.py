"""The IMAP poller against a real IMAP server (dovecot): every mail stored exactly once."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from imapclient import SEEN, IMAPClient
from imapclient.exceptions import LoginError

from channels_in.email import poller, store
from channels_in.email.inbound import EmailParseError
from channels_in.email.models import AfterProcessing, Mailbox, Security
from channels_in.email.poller import poll_mailbox
from channels_in.email.store import ingest_raw_mails
from channels_in.email.tasks import poll_mailboxes_task
from tickets.models import FailedInbound, Message, Ticket

pytestmark = pytest.mark.django_db


def mail(
    number: int,
    *,
    subject: str = "",
    sender: str = "Pat Doe <pat@example.org>",
    body: str = "Hello,\r\n\r\nthe printer on floor 3 prints blank pages since this morning.\r\n\r\nPat",
) -> bytes:
    """A realistic plain-text customer mail, as an MTA would have delivered it."""
    return (
        "Return-Path: <pat@example.org>\r\n"
        "Received: from mail.example.org (mail.example.org [203.0.113.25])\r\n"
        f"\tby mx.helpdesk.test with ESMTPS id 4Xq9{number:04d}; Mon, 3 Mar 2025 09:14:{number % 60:02d} +0000\r\n"
        f"From: {sender}\r\n"
        "To: Support <support@helpdesk.test>\r\n"
        f"Subject: {subject or f'Printer problem #{number}'}\r\n"
        f"Date: Mon, 03 Mar 2025 10:14:{number % 60:02d} +0100\r\n"
        f"Message-ID: <CAF{number:06d}.a1b2c3@mail.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}\r\n"
    ).encode()


MULTIPART = (
    b"From: =?utf-8?q?Ren=C3=A9e_Dupont?= <renee@example.fr>\r\n"
    b"To: support@helpdesk.test\r\n"
    b"Subject: =?utf-8?q?Facture_de_f=C3=A9vrier?=\r\n"
    b"Date: Tue, 04 Mar 2025 08:01:12 +0100\r\n"
    b"Message-ID: <20250304080112.4711@example.fr>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="=_b0undary"\r\n'
    b"\r\n"
    b"--=_b0undary\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"Bonjour, je n'ai pas re=C3=A7u la facture de f=C3=A9vrier.\r\n"
    b"--=_b0undary\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b"<p>Bonjour, je n'ai pas re\xc3\xa7u la facture de f\xc3\xa9vrier.</p>\r\n"
    b"--=_b0undary--\r\n"
)

# No sender at all, a header line without a colon and 8-bit bytes in no declared charset.
MALFORMED = (
    b"Subject: \xff\xfe broken\r\n"
    b"this is not a header\r\n"
    b"Content-Type: multipart/mixed\r\n"
    b"\r\n"
    b"\x93garbage\x94 with no boundary\r\n"
)


@pytest.fixture
def mailbox(imap_server, imap, team_support) -> Mailbox:
    return Mailbox.objects.create(
        name="Support",
        address="support@helpdesk.test",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username=imap_server.user,
        password=imap_server.password,
        team=team_support,
    )


def deliver(imap: IMAPClient, *raws: bytes, folder: str = "INBOX") -> None:
    for raw in raws:
        imap.append(folder, raw)


def server_flags(imap: IMAPClient, folder: str = "INBOX") -> list[tuple[bytes, ...]]:
    imap.select_folder(folder, readonly=True)
    return [data[b"FLAGS"] for _uid, data in sorted(imap.fetch("1:*", ["FLAGS"]).items())]


def server_uids(imap: IMAPClient, folder: str = "INBOX") -> list[int]:
    imap.select_folder(folder, readonly=True)
    return sorted(imap.search("ALL"))


def subjects() -> list[str]:
    return sorted(Message.objects.filter(direction="in").values_list("subject", flat=True))


def test_new_mail_becomes_tickets_and_is_flagged_seen(mailbox, imap):
    deliver(imap, mail(1), mail(2, sender="Sam Roe <sam@example.org>"), MULTIPART)

    result = poll_mailbox(mailbox.pk)

    assert (result.fetched, result.ingested, result.duplicates, result.failed) == (3, 3, 0, 0)
    assert subjects() == ["Facture de février", "Printer problem #1", "Printer problem #2"]
    pat_ticket = Ticket.objects.get(subject="Printer problem #1")
    assert pat_ticket.customer.name == "Pat Doe"
    assert "prints blank pages" in pat_ticket.messages.get().body_text
    assert all(SEEN in flags for flags in server_flags(imap))
    mailbox.refresh_from_db()
    assert mailbox.last_uid == server_uids(imap)[-1]
    assert mailbox.uidvalidity and mailbox.last_polled_at and not mailbox.last_error
    assert mailbox.polling_until is None


def test_polling_again_fetches_only_new_mail(mailbox, imap):
    deliver(imap, mail(1), mail(2))
    poll_mailbox(mailbox.pk)

    # The server answers `last_uid+1:*` with the newest message even when nothing is new.
    assert poll_mailbox(mailbox.pk).fetched == 0
    deliver(imap, mail(3))
    result = poll_mailbox(mailbox.pk)

    assert (result.fetched, result.ingested) == (1, 1)
    assert subjects() == ["Printer problem #1", "Printer problem #2", "Printer problem #3"]


def test_a_backlog_is_fetched_in_batches(mailbox, imap, monkeypatch):
    monkeypatch.setattr(poller, "BATCH_MESSAGES", 2)
    deliver(imap, *(mail(n) for n in range(1, 6)))

    result = poll_mailbox(mailbox.pk)

    assert (result.fetched, result.ingested) == (5, 5)
    assert Message.objects.count() == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("crash", ["before storing", "after storing"])
def test_a_crash_mid_batch_then_a_new_poll_stores_every_mail_once(mailbox, imap, monkeypatch, crash):
    """Given a worker that dies on the 2nd batch, when the next poll runs, then no mail is lost or doubled."""
    monkeypatch.setattr(poller, "BATCH_MESSAGES", 2)
    deliver(imap, *(mail(n) for n in range(1, 6)))
    calls = []

    def dying_ingest(raws, **kw):
        calls.append(raws)
        if len(calls) == 2:
            if crash == "after storing":
                ingest_raw_mails(raws, **kw)
            raise OperationalError("server closed the connection unexpectedly")
        return ingest_raw_mails(raws, **kw)

    monkeypatch.setattr(poller, "ingest_raw_mails", dying_ingest)
    with pytest.raises(OperationalError):
        poll_mailbox(mailbox.pk)

    mailbox.refresh_from_db()
    assert mailbox.last_uid == server_uids(imap)[1]
    assert "OperationalError" in mailbox.last_error
    assert [SEEN in flags for flags in server_flags(imap)] == [True, True, False, False, False]

    monkeypatch.setattr(poller, "ingest_raw_mails", ingest_raw_mails)
    result = poll_mailbox(mailbox.pk)

    assert (result.fetched, result.duplicates) == (3, 2 if crash == "after storing" else 0)
    assert subjects() == [f"Printer problem #{n}" for n in range(1, 6)]
    assert all(SEEN in flags for flags in server_flags(imap))
    mailbox.refresh_from_db()
    assert not mailbox.last_error


def test_a_malformed_mail_is_kept_and_the_next_mail_still_arrives(mailbox, imap):
    deliver(imap, mail(1), MALFORMED, mail(3))

    result = poll_mailbox(mailbox.pk)

    assert (result.fetched, result.ingested, result.failed) == (3, 2, 1)
    assert subjects() == ["Printer problem #1", "Printer problem #3"]
    assert FailedInbound.objects.get().channel == "email"
    mailbox.refresh_from_db()
    assert mailbox.last_uid == server_uids(imap)[-1]
    assert all(SEEN in flags for flags in server_flags(imap))


def test_an_unparseable_mail_is_kept_byte_for_byte(mailbox, imap, monkeypatch):
    raw = mail(7, subject="Caf\xe9 menu", body="Pri\xe8re de r\xe9pondre \u2013 merci")

    def refuse(raw: bytes, *, raw_ref: str = ""):
        raise EmailParseError("too many MIME parts")

    monkeypatch.setattr(store, "parse_email", refuse)
    deliver(imap, raw)

    assert poll_mailbox(mailbox.pk).failed == 1
    failed = FailedInbound.objects.get()
    assert (failed.external_id, failed.payload_format, failed.error) == (
        "<CAF000007.a1b2c3@mail.example.org>",
        "rfc822-latin1",
        "too many MIME parts",
    )
    assert failed.payload.encode("latin-1") == raw


def test_a_new_uidvalidity_fetches_the_folder_again_without_duplicates(mailbox, imap):
    imap.create_folder("Support")
    mailbox.folder = "Support"
    mailbox.save()
    deliver(imap, mail(1), mail(2), folder="Support")
    poll_mailbox(mailbox.pk)
    old_uidvalidity = Mailbox.objects.get().uidvalidity

    # The folder is rebuilt (e.g. restored from a backup): UIDs start again at 1.
    imap.delete_folder("Support")
    imap.create_folder("Support")
    deliver(imap, mail(1), mail(3), folder="Support")
    result = poll_mailbox(mailbox.pk)

    assert (result.fetched, result.ingested, result.duplicates) == (2, 1, 1)
    assert subjects() == ["Printer problem #1", "Printer problem #2", "Printer problem #3"]
    assert Mailbox.objects.get().uidvalidity != old_uidvalidity


@pytest.mark.parametrize("server_can_move", [True, False])
def test_processed_mail_is_moved_to_the_configured_folder(mailbox, imap, monkeypatch, server_can_move):
    if not server_can_move:  # an older server: COPY, flag deleted, UID EXPUNGE
        has_capability = IMAPClient.has_capability
        monkeypatch.setattr(IMAPClient, "has_capability", lambda self, cap: cap != "MOVE" and has_capability(self, cap))
    mailbox.after_processing, mailbox.move_to_folder = AfterProcessing.MOVE, "Processed"
    mailbox.save()
    deliver(imap, mail(1), mail(2))

    assert poll_mailbox(mailbox.pk).ingested == 2

    assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    assert imap.select_folder("Processed")[b"EXISTS"] == 2
    deliver(imap, mail(3))
    assert poll_mailbox(mailbox.pk).ingested == 1
    assert imap.select_folder("Processed")[b"EXISTS"] == 3


def test_a_wrong_password_is_shown_on_the_mailbox(mailbox, imap):
    deliver(imap, mail(1))
    Mailbox.objects.filter(pk=mailbox.pk).update(password="not-the-password")

    with pytest.raises(LoginError):
        poll_mailbox(mailbox.pk)

    mailbox.refresh_from_db()
    assert "LoginError" in mailbox.last_error and "Authentication failed" in mailbox.last_error
    assert mailbox.polling_until is None
    assert not Message.objects.exists()


def test_an_unreachable_server_is_shown_on_the_mailbox(mailbox, imap, imap_server):
    Mailbox.objects.filter(pk=mailbox.pk).update(port=1)

    with pytest.raises(ConnectionRefusedError):
        poll_mailbox(mailbox.pk)

    assert "ConnectionRefusedError" in Mailbox.objects.get().last_error


def test_a_mailbox_claimed_by_another_poller_is_left_alone_until_its_lease_runs_out(mailbox, imap):
    deliver(imap, mail(1))
    Mailbox.objects.filter(pk=mailbox.pk).update(polling_until=timezone.now() + timedelta(minutes=5))

    assert poll_mailbox(mailbox.pk).skipped
    assert not Message.objects.exists()
    assert SEEN not in server_flags(imap)[0]

    # That poller died: its lease runs out and the next poll takes over.
    Mailbox.objects.filter(pk=mailbox.pk).update(polling_until=timezone.now() - timedelta(seconds=1))
    assert poll_mailbox(mailbox.pk).ingested == 1


def test_the_beat_job_polls_every_active_mailbox_past_a_failing_one(mailbox, imap, imap_server):
    Mailbox.objects.create(
        name="Billing (old password)",
        address="billing@helpdesk.test",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username="billing",
        password="expired",
    )
    Mailbox.objects.create(
        name="Archive", address="archive@helpdesk.test", host="192.0.2.1", username="archive", active=False
    )
    deliver(imap, mail(1))

    assert poll_mailboxes_task() == {"polled": 1, "errors": 1, "ingested": 1}
    assert Mailbox.objects.get(username="billing").last_error
    assert Mailbox.objects.get(name="Archive").last_polled_at is None


def test_the_admin_never_shows_the_password_and_keeps_it_when_left_empty(client, admin_ada):
    mailbox = Mailbox.objects.create(
        name="Support",
        address="support@helpdesk.test",
        host="imap.helpdesk.test",
        username="support",
        password="s3cret",
    )
    client.force_login(admin_ada)
    url = reverse("admin:channels_in_mailbox_change", args=[mailbox.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert mailbox.password.encode() not in page.content

    form = {
        "name": "Support",
        "address": "support@helpdesk.test",
        "host": mailbox.host,
        "port": mailbox.port,
        "security": Security.NONE,
        "username": mailbox.username,
        "password": "",
        "folder": "INBOX",
        "after_processing": AfterProcessing.SEEN,
        "active": "on",
        "smtp_port": 587,
        "smtp_security": Security.STARTTLS,
    }
    assert client.post(url, form).status_code == 302
    assert Mailbox.objects.get().password == mailbox.password

    response = client.post(url, {**form, "after_processing": AfterProcessing.MOVE})
    assert "Name the folder to move processed mail to." in response.content.decode()

    assert client.post(url, {**form, "password": "rotated-secret"}).status_code == 302
    assert Mailbox.objects.get().password == "rotated-secret"

    response = client.post(reverse("admin:channels_in_mailbox_add"), {**form, "name": "Sales", "folder": "Sales"})
    assert "Enter the password." in response.content.decode()


def test_pointing_a_mailbox_at_another_folder_reads_that_folder_from_its_start(client, admin_ada, mailbox, imap):
    deliver(imap, mail(1))
    poll_mailbox(mailbox.pk)
    imap.create_folder("Sales")
    deliver(imap, mail(2), folder="Sales")
    client.force_login(admin_ada)
    form = {
        "name": "Support",
        "address": "support@helpdesk.test",
        "host": mailbox.host,
        "port": mailbox.port,
        "security": Security.NONE,
        "username": mailbox.username,
        "folder": "Sales",
        "after_processing": AfterProcessing.SEEN,
        "active": "on",
        "smtp_port": 587,
        "smtp_security": Security.STARTTLS,
    }

    assert client.post(reverse("admin:channels_in_mailbox_change", args=[mailbox.pk]), form).status_code == 302

    # UIDVALIDITY is only unique per folder name, so the old position must not carry over.
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_uid) == (None, 0)
    assert poll_mailbox(mailbox.pk).ingested == 1
    assert subjects() == ["Printer problem #1", "Printer problem #2"]
