"""Celery tasks: thin wrappers that load by id and call a service."""

from celery import shared_task

from surveys import selectors, services


@shared_task(acks_late=True)
def send_csat_task(ticket_id: int) -> int | None:
    survey = services.send_csat(ticket_id=ticket_id)
    return survey.pk if survey else None


@shared_task
def send_due_csat_task() -> int:
    """Beat job: survey the tickets solved long enough ago (CSAT_DELAY_MINUTES) and not yet asked."""
    ids = selectors.due_csat_ticket_ids()
    for ticket_id in ids:
        send_csat_task.delay(ticket_id)
    return len(ids)


@shared_task(acks_late=True)
def send_nps_campaign_task(campaign_id: int) -> int:
    created = services.invite_nps_audience(campaign_id=campaign_id)
    send_nps_batch_task.delay(campaign_id)
    return created


@shared_task(acks_late=True)
def send_nps_batch_task(campaign_id: int) -> int:
    """One batch of invitations, then the next batch as a new task (each ends within the visibility timeout)."""
    sent = services.send_nps_batch(campaign_id=campaign_id, size=services.NPS_BATCH_SIZE)
    if sent == services.NPS_BATCH_SIZE:
        send_nps_batch_task.delay(campaign_id)
    return sent
