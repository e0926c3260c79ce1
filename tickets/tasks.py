"""Celery tasks: thin wrappers that load by id and call a service."""

from celery import shared_task

from tickets import services


@shared_task(acks_late=True)
def send_message_task(message_id: int) -> str:
    return services.deliver(message_id)


@shared_task(acks_late=True)
def acknowledge_ticket_task(ticket_id: int) -> int | None:
    message = services.acknowledge(ticket_id=ticket_id)
    return message.pk if message else None


@shared_task
def resend_due_messages_task() -> int:
    """Beat job: put due retries (and sends lost with a dead worker) back on the queue."""
    ids = services.resend_due_messages()
    for message_id in ids:
        send_message_task.delay(message_id)
    return len(ids)


@shared_task(acks_late=True)
def reconcile_sla_task(ticket_ids: list[int]) -> None:
    services.sla.reconcile(ticket_ids=ticket_ids)


@shared_task
def sla_sweep_task() -> int:
    """Beat job: warnings and breaches of the SLA targets whose time has come."""
    return services.sla.sweep()


@shared_task(acks_late=True)
def escalate_task(ticket_ids: list[int]) -> None:
    services.sla.escalate(ticket_ids=ticket_ids)
