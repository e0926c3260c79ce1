"""Celery tasks of the e-mail channel: thin, they call the poller."""

import logging

from celery import shared_task

from channels_in.email.models import Mailbox
from channels_in.email.poller import poll_mailbox

logger = logging.getLogger(__name__)


@shared_task
def poll_mailboxes_task() -> dict[str, int]:
    """Beat job: poll every active mailbox; a failing one is retried on the next run, the rest go on."""
    totals = {"polled": 0, "errors": 0, "ingested": 0}
    for mailbox_id in Mailbox.objects.filter(active=True).values_list("pk", flat=True):
        try:
            result = poll_mailbox(mailbox_id)
        except Exception:
            logger.exception("polling mailbox %s failed", mailbox_id)
            totals["errors"] += 1
        else:
            totals["polled"] += not result.skipped
            totals["ingested"] += result.ingested
    return totals
