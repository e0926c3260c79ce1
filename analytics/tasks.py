"""Beat jobs keeping the analytics tables current (schedule: helpdesk/settings/celery.py)."""

from celery import shared_task

from analytics.metrics import refresh_metrics
from analytics.rollups import refresh_rollups


@shared_task
def refresh_metrics_task() -> int:
    """Every minute: recompute the metrics of tickets that changed since the last run."""
    return refresh_metrics()


@shared_task
def refresh_rollups_task(days: int = 2) -> int:
    """Every ten minutes: rewrite today's and yesterday's roll-up (yesterday: events that came in late)."""
    return refresh_rollups(days=days)
