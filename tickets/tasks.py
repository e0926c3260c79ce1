"""Celery tasks: thin wrappers that load by id and call a service."""

from smtplib import SMTPException

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


@shared_task(acks_late=True)
def send_macros_task(items: list[tuple[int, int, str]]) -> int:
    """Macros that rules or automations send: (ticket id, macro id, key), each once per key."""
    return sum(services.send_macro(ticket_id=t, macro_id=m, key=key) is not None for t, m, key in items)


@shared_task(acks_late=True)
def route_tickets_task(ticket_ids: list[int], trigger: str) -> None:
    services.routing.route(ticket_ids=ticket_ids, trigger=trigger)


@shared_task(acks_late=True)
def assign_tickets_task(ticket_ids: list[int]) -> int:
    return len(services.assign.assign(ticket_ids=ticket_ids))


@shared_task
def assign_waiting_task(team_ids: list[int] | None = None) -> int:
    """Beat job, and an agent coming online: waiting tickets to agents who have room."""
    return services.assign.assign_waiting(team_ids=team_ids)


@shared_task
def reassign_offline_task() -> int:
    """Beat job: tickets of agents gone offline too long go to others."""
    return services.assign.reassign_offline()


@shared_task(acks_late=True, bind=True, max_retries=8)
def send_sla_mail_task(self, notices: list[services.sla_mail.Notice]) -> int:
    """E-mail SLA warnings and breaches to assignees and team leads, once (sla_mail marks them)."""
    try:
        return services.sla_mail.send_sla_mail(notices=notices)
    except (SMTPException, OSError) as exc:
        # The mail server could not be reached, before anything was marked sent: try again later.
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task
def run_automations_task() -> int:
    """Beat job, every minute: apply the automations to the tickets now due. Safe to overlap."""
    return services.automations.run_automations()
