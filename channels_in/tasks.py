"""Celery tasks shared by the webhook channels: thin, they call channels_in/inbox.py and the fetchers."""

import logging

from celery import shared_task

from channels_in import inbox
from channels_in.base import SendError
from channels_in.registry import media_fetcher_for
from tickets.inbound import RemoteMedia
from tickets.services import attach

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def drain_inbox_task() -> int:
    """Drain pending webhook payloads; also a beat job, so a lost task only delays, never loses."""
    done = total = inbox.drain()
    while done == inbox.DRAIN_BATCH:
        done = inbox.drain()
        total += done
    return total


@shared_task(acks_late=True, bind=True, max_retries=8)
def fetch_media_task(self, message_id: int, channel: str, url: str, content_type: str, filename: str) -> None:
    """Download a file the provider holds (MMS picture, voicemail) and attach it to its message."""
    try:
        content, content_type = media_fetcher_for(channel)(RemoteMedia(url, content_type, filename))
    except SendError as exc:
        if exc.permanent:
            logger.warning("media %s of message %s cannot be fetched: %s", url, message_id, exc)
            return
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc
    attach(
        message_id=message_id, filename=filename or url.rsplit("/", 1)[-1], content_type=content_type, content=content
    )
