"""Celery tasks of the Phone calls (Twilio Voice) channel: thin, they call channels_in.phone.services."""

from celery import shared_task

from channels_in.phone.services import sync_call


@shared_task(acks_late=True, bind=True, max_retries=6)
def sync_call_task(self, call_id: int) -> None:
    """Link a call to its message once the inbox has stored it; waits (retries) while it has not."""
    if not sync_call(call_id=call_id):
        raise self.retry(countdown=min(10 * 2**self.request.retries, 600))
