"""Embedded scheduler: fires CELERY_BEAT_SCHEDULE in a daemon thread when there is no beat.

Used only on the embedded default (eager Celery, no Redis). Production runs `celery beat`.
"""

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def _run_due(next_run: dict[str, float]) -> None:
    now = time.monotonic()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if now < next_run.get(name, 0):
            continue
        next_run[name] = now + float(entry["schedule"])
        try:
            current_app.tasks[entry["task"]].apply()
        except Exception:
            logger.exception("scheduled job %s failed", name)
        finally:
            close_old_connections()


def _loop() -> None:
    current_app.loader.import_default_modules()
    next_run: dict[str, float] = {}
    while True:
        _run_due(next_run)
        time.sleep(1)


def start() -> None:
    threading.Thread(target=_loop, name="embedded-scheduler", daemon=True).start()
    logger.info("embedded scheduler started (%d jobs)", len(settings.CELERY_BEAT_SCHEDULE))
