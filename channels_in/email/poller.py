"""IMAP transport: fetch new mail from a Mailbox and store it in batches through ingest_many().

Restart-safe by construction: the position (UIDVALIDITY, last UID) advances only after a batch
is stored (each mail as a Message or a FailedInbound), so a crash re-fetches at most the batch
in hand, and ingest's dedupe on Message-ID makes that re-fetch harmless. The after-processing
action (flag or move) comes last: if it fails, the mail stays as it was on the server, stored once.
"""

import dataclasses
import logging
from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from imapclient import SEEN, IMAPClient

from channels_in.email.models import AfterProcessing, Mailbox, Security
from channels_in.email.store import Arrival, ingest_raw_mails

logger = logging.getLogger(__name__)

# A poller holds a mailbox this long without progress before another may take it over.
LEASE = timedelta(minutes=10)
# Seconds the IMAP server may take to answer before the poll gives up (the next one retries).
TIMEOUT = 60
# Bodies are fetched this many (or this many bytes) at a time, to bound memory on a big backlog.
BATCH_MESSAGES = 50
BATCH_BYTES = 20 * 1024 * 1024


@dataclasses.dataclass
class PollResult:
    fetched: int = 0
    ingested: int = 0
    duplicates: int = 0
    failed: int = 0
    # True when another poller held the mailbox (or it is inactive), so nothing was done.
    skipped: bool = False


def poll_mailbox(mailbox_id: int) -> PollResult:
    """Store every mail that arrived in the mailbox's folder since the last poll, each exactly once.

    Run outside a transaction: each batch is committed by ingest before the position moves on.
    Two pollers never work on one mailbox at once: a poller first claims the mailbox with one
    conditional UPDATE of its lease (`polling_until`). A single UPDATE ... WHERE is atomic on
    SQLite and PostgreSQL alike (unlike `select_for_update`, which SQLite ignores), and it needs no
    transaction held open through the whole poll, during which every batch is committed on its
    own. The lease is renewed with every batch and runs out by itself if the poller is killed.
    An error (server down, wrong password, database gone) is recorded in `last_error` and raised;
    the next poll carries on from the last stored message.
    """
    mailbox = _claim(mailbox_id)
    if mailbox is None:
        return PollResult(skipped=True)
    result = PollResult()
    error = ""
    try:
        with _connect(mailbox) as client:
            _poll(client, mailbox, result)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            polling_until=None, last_polled_at=timezone.now(), last_error=error
        )
        logger.info("mailbox %s: %s%s", mailbox.name, result, f" ({error})" if error else "")
    return result


def _claim(mailbox_id: int) -> Mailbox | None:
    now = timezone.now()
    free = Q(polling_until__isnull=True) | Q(polling_until__lt=now)
    if not Mailbox.objects.filter(free, pk=mailbox_id, active=True).update(polling_until=now + LEASE):
        return None
    return Mailbox.objects.get(pk=mailbox_id)


def _connect(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.security == Security.SSL, timeout=TIMEOUT)
    try:
        if mailbox.security == Security.STARTTLS:
            client.starttls()
        client.login(mailbox.username, mailbox.password)
    except BaseException:
        client.shutdown()
        raise
    return client


def _poll(client: IMAPClient, mailbox: Mailbox, result: PollResult) -> None:
    uidvalidity = client.select_folder(mailbox.folder)[b"UIDVALIDITY"]
    if uidvalidity != mailbox.uidvalidity:
        if mailbox.uidvalidity is not None:
            logger.warning("mailbox %s: UIDVALIDITY changed, fetching the folder again", mailbox.name)
        # Old UIDs mean nothing under a new UIDVALIDITY: start over; ingest drops what it has.
        mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0)
    if mailbox.after_processing == AfterProcessing.MOVE and not client.folder_exists(mailbox.move_to_folder):
        client.create_folder(mailbox.move_to_folder)

    # A UID range search and the sizes in one command. `N:*` always matches the newest message,
    # even when its UID is below N, hence the filter.
    sizes = {
        uid: data.get(b"RFC822.SIZE", 0)
        for uid, data in client.fetch(f"{mailbox.last_uid + 1}:*", ["RFC822.SIZE"]).items()
        if uid > mailbox.last_uid
    }
    arrival = Arrival.for_mailbox(mailbox)
    for batch in _batches(sizes):
        # PEEK: the mail must not look read on the server before the helpdesk has stored it.
        bodies = client.fetch(batch, ["BODY.PEEK[]"])
        uids = [uid for uid in batch if uid in bodies]  # others were expunged since the size fetch
        # One transaction for the batch: a crash before the position is saved re-fetches it, and
        # ingest drops what it already has.
        summary = ingest_raw_mails(
            [(bodies[uid][b"BODY[]"], f"imap:{mailbox.pk}:{uid}") for uid in uids], arrival=arrival
        )
        result.fetched += len(uids)
        result.ingested += summary.created + summary.followups
        result.duplicates += summary.duplicates
        result.failed += summary.failed
        Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=batch[-1], polling_until=timezone.now() + LEASE)
        for uid in uids:
            _after_processing(client, mailbox, uid)


def _batches(sizes: dict[int, int]) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in sorted(sizes):
        if batch and (len(batch) == BATCH_MESSAGES or total + sizes[uid] > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += sizes[uid]
    if batch:
        yield batch


def _after_processing(client: IMAPClient, mailbox: Mailbox, uid: int) -> None:
    if mailbox.after_processing == AfterProcessing.SEEN:
        client.add_flags([uid], [SEEN])
    elif client.has_capability("MOVE"):
        client.move([uid], mailbox.move_to_folder)
    else:
        client.copy([uid], mailbox.move_to_folder)
        client.delete_messages([uid])
        # Without UIDPLUS, EXPUNGE also removes other mail already marked deleted in the folder.
        client.expunge([uid] if client.has_capability("UIDPLUS") else None)
