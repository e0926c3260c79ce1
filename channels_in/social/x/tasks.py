"""Celery tasks of the X (Twitter) channel: thin, they call the poller."""

import logging

from celery import shared_task
from django.utils import timezone

from channels_in.social.x.models import XAccount
from channels_in.social.x.poller import due, poll_account

logger = logging.getLogger(__name__)


@shared_task
def poll_x_accounts_task() -> dict[str, int]:
    """Beat job: poll the accounts that are due; a failing one waits its interval, the rest go on.

    Runs often (every minute); each account's own interval and rate-limit backoff decide whether
    it costs a request. With nothing configured it makes none.
    """
    XAccount.sync_environment()
    totals = {"polled": 0, "errors": 0, "ingested": 0}
    ids = XAccount.objects.filter(due(timezone.now()), active=True).values_list("pk", flat=True)
    for account_id in ids:
        try:
            result = poll_account(account_id)
        except Exception:
            logger.exception("polling X account %s failed", account_id)
            totals["errors"] += 1
        else:
            totals["polled"] += not result.skipped
            totals["errors"] += bool(result.errors)
            totals["ingested"] += result.ingested
    return totals
