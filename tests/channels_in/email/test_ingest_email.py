"""`manage.py ingest_email`: importing .eml files, mbox files and Maildir folders."""

import io
import mailbox
import shutil

import pytest
from django.core.management import CommandError, call_command

from tests.channels_in.email.fixtures.transports.mails import HERE, ORIGINAL_ID, REPLY_ID, load, plain
from tickets.models import FailedInbound, Message, Ticket

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_email", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def make_mbox(path, raws: list[bytes]) -> None:
    box = mailbox.mbox(path)
    for raw in raws:
        box.add(raw)
    box.flush()
    box.close()


def make_maildir(path, named: dict[str, bytes]) -> None:
    """A Maildir as an MDA leaves it: file names start with the delivery time."""
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True)
    for name, raw in named.items():
        (path / name).write_bytes(raw)


def thread_of(message_id: str) -> list[str]:
    ticket = Message.objects.get(external_id=message_id).ticket
    return list(ticket.messages.order_by("id").values_list("external_id", flat=True))


def test_eml_files_are_imported_with_a_summary(tmp_path):
    for name in ("original.eml", "reply.eml", "html-alternative.eml"):
        shutil.copy(HERE / name, tmp_path / name)

    out, err = run(str(tmp_path / "original.eml"), str(tmp_path / "reply.eml"), str(tmp_path / "html-alternative.eml"))

    assert "3 mails in" in out and "messages/s" in out
    assert "2 tickets created, 1 follow-ups, 0 duplicates skipped, 0 stored as failed" in out
    assert "\r[" in err and "3/3 mails" in err
    assert thread_of(ORIGINAL_ID) == [ORIGINAL_ID, REPLY_ID]


def test_a_directory_of_eml_files_is_imported_in_name_order(tmp_path):
    # Exported one file per mail, named so that the reply sorts after the mail it answers.
    (tmp_path / "export" / "2025-03").mkdir(parents=True)
    (tmp_path / "export" / "2025-03" / "0001.eml").write_bytes(load("original.eml"))
    (tmp_path / "export" / "2025-03" / "0002.eml").write_bytes(load("reply.eml"))
    (tmp_path / "export" / "notes.txt").write_text("not a mail")

    out, _ = run(str(tmp_path / "export"))

    assert "1 tickets created, 1 follow-ups" in out
    assert thread_of(ORIGINAL_ID) == [ORIGINAL_ID, REPLY_ID]


def test_an_mbox_is_imported_in_file_order_and_a_reply_threads_within_the_batch(tmp_path):
    make_mbox(tmp_path / "support.mbox", [load("original.eml"), plain(1), load("reply.eml"), plain(2)])

    out, _ = run(str(tmp_path / "support.mbox"))

    assert "3 tickets created, 1 follow-ups, 0 duplicates skipped, 0 stored as failed" in out
    assert Ticket.objects.count() == 3
    assert thread_of(ORIGINAL_ID) == [ORIGINAL_ID, REPLY_ID]


def test_a_reply_threads_across_batches_too(tmp_path):
    make_mbox(tmp_path / "support.mbox", [load("original.eml"), plain(1), load("reply.eml")])

    out, err = run(str(tmp_path / "support.mbox"), "--batch", "1")

    assert "2 tickets created, 1 follow-ups" in out
    assert "1/3 mails" in err and "3/3 mails" in err
    assert thread_of(ORIGINAL_ID) == [ORIGINAL_ID, REPLY_ID]


def test_a_maildir_is_imported_in_delivery_order(tmp_path):
    # Names sort by delivery time (seconds, then microseconds), not as plain strings: M99 < M123.
    make_maildir(
        tmp_path / "Maildir",
        {
            "cur/1741000000.M123P41.mx:2,S": load("reply.eml"),
            "new/1741000000.M99P40.mx": load("original.eml"),
            "new/1741000001.M5P42.mx": load("html-alternative.eml"),
        },
    )

    out, _ = run(str(tmp_path / "Maildir"))

    assert "2 tickets created, 1 follow-ups" in out
    assert thread_of(ORIGINAL_ID) == [ORIGINAL_ID, REPLY_ID]


def test_importing_the_same_sources_again_stores_nothing_new(tmp_path):
    make_mbox(tmp_path / "a.mbox", [load("original.eml"), load("reply.eml")])
    make_maildir(tmp_path / "Maildir", {"new/1741000002.M1P1.mx": load("html-alternative.eml")})
    run(str(tmp_path / "a.mbox"), str(tmp_path / "Maildir"))

    out, _ = run(str(tmp_path / "a.mbox"), str(tmp_path / "Maildir"))

    assert "0 tickets created, 0 follow-ups, 3 duplicates skipped, 0 stored as failed" in out
    assert (Ticket.objects.count(), Message.objects.count()) == (2, 3)


def test_a_broken_mail_is_kept_as_failed_and_the_rest_imported(tmp_path):
    make_mbox(tmp_path / "a.mbox", [load("original.eml"), load("broken.eml"), load("reply.eml")])

    out, _ = run(str(tmp_path / "a.mbox"))

    assert "1 tickets created, 1 follow-ups, 0 duplicates skipped, 1 stored as failed" in out
    assert FailedInbound.objects.get().external_id == "<broken-0001@example.net>"
    assert thread_of(ORIGINAL_ID) == [ORIGINAL_ID, REPLY_ID]


def test_a_missing_path_stops_the_import_before_anything_is_stored(tmp_path):
    (tmp_path / "one.eml").write_bytes(load("original.eml"))

    with pytest.raises(CommandError, match="no such file or directory"):
        run(str(tmp_path / "one.eml"), str(tmp_path / "missing.mbox"))

    assert not Message.objects.exists()
