"""Webhook payloads: stored before the provider gets its 2xx, turned into messages by Celery.

A webhook view verifies the signature and calls `accept_payload`; that is all it does, so it answers
in milliseconds and a provider never times out and retries because of our database or a slow
download. `drain` takes pending payloads in batches (one `ingest_many` transaction per batch), which
also makes a burst of webhooks as cheap to store as a polled batch. A payload that cannot be parsed
is kept as FailedInbound for an admin, like any other channel's.
"""

import logging

from django.db import IntegrityError, transaction

from channels_in.inbox_models import InboundPayload
from channels_in.registry import parser_for
from tickets.inbound import InboundMessage
from tickets.models import FailedInbound
from tickets.services import IngestError, IngestResult, ingest_many, mark_retried, store_failed_inbound

logger = logging.getLogger(__name__)

# Stored raw payloads of webhook channels have this FailedInbound.payload_format.
PAYLOAD_FORMAT = "webhook-payload"
DRAIN_BATCH = 200


def accept_payload(*, channel: str, external_id: str, body: str) -> bool:
    """Store a verified webhook payload once; False if it was already pending (a provider retry).

    Processing starts after the commit (Celery, or in-process on the embedded default).
    """
    try:
        with transaction.atomic():
            InboundPayload.objects.create(channel=channel, external_id=external_id[:255], body=body)
    except IntegrityError:
        return False
    from channels_in.tasks import drain_inbox_task  # tasks import this module

    transaction.on_commit(drain_inbox_task.delay, robust=True)
    return True


def drain(*, limit: int = DRAIN_BATCH) -> int:
    """Turn up to `limit` pending payloads into messages; returns how many payloads were done.

    Rows are claimed with SKIP LOCKED (PostgreSQL), so several workers drain side by side; each
    batch is one transaction, so a worker killed mid-batch leaves its payloads pending for the next.
    """
    with transaction.atomic():
        rows = list(InboundPayload.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        if not rows:
            return 0
        msgs: list[InboundMessage] = []
        for row in rows:
            try:
                msgs += parser_for(row.channel)(row.body)
            except Exception as exc:  # a parser bug must not block the inbox either
                logger.warning("%s payload %s kept as failed: %s", row.channel, row.external_id, exc)
                store_failed_inbound(
                    channel=row.channel,
                    external_id=row.external_id,
                    payload=row.body,
                    error=str(exc),
                    fmt=PAYLOAD_FORMAT,
                )
        results = ingest_many(msgs)
        _fetch_media_after_commit(msgs, results)
        InboundPayload.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def retry_failed_payload(failed: FailedInbound) -> IngestResult:
    """The admin's retry of a webhook payload that could not be parsed (once the parser is fixed)."""
    msgs = parser_for(failed.channel)(failed.payload)
    if not msgs:
        raise ValueError("The payload holds no message.")
    results = ingest_many(msgs)
    _fetch_media_after_commit(msgs, results)
    stored = [r for r in results if isinstance(r, IngestResult)]
    if not stored:
        raise results[0]  # type: ignore[misc]  # an IngestError
    mark_retried(failed, stored[0].message)
    return stored[0]


def _fetch_media_after_commit(msgs: list[InboundMessage], results: list[IngestResult | IngestError]) -> None:
    jobs = [
        (result.message.pk, msg.channel, media.url, media.content_type, media.filename)
        for msg, result in zip(msgs, results, strict=True)
        if isinstance(result, IngestResult) and not result.duplicate
        for media in msg.media
    ]
    if jobs:
        from channels_in.tasks import fetch_media_task

        transaction.on_commit(lambda: [fetch_media_task.delay(*job) for job in jobs], robust=True)
