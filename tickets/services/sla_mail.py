"""SLA escalation by e-mail: a warning to the ticket's assignee, a breach to the assignee and the team lead.

`sla._record` hands over the rows it wrote (`mail_after_commit`); once they are committed one task
(tickets/tasks.py) mails each person one message listing all of their new notices, so a
mass breach sends one mail per person, not one per ticket. The notices are agent notifications,
not replies to a customer: they leave through Django's default e-mail backend, not a mailbox.
"""

import logging
from datetime import datetime
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from helpdesk.models import User
from tickets.bulk import update_rows
from tickets.models import Team, Ticket, TicketEvent
from tickets.services.sla import TARGETS

logger = logging.getLogger(__name__)

WARNING, BREACHED = TicketEvent.Kind.SLA_WARNING, TicketEvent.Kind.SLA_BREACHED
# Lines in one mail; the rest are counted ("and N more") and found in the queue.
MAX_LINES = 50

# A notice, as the task receives it (JSON): [ticket id, event kind, target, event time (ISO 8601),
# assignee id, team id], the last two as the ticket stood when the event was recorded.
Notice = list


def mail_after_commit(rows: list[TicketEvent]) -> None:
    """Have the warnings and breaches among these just-written timeline rows e-mailed after the commit.

    The people are taken now because an escalation (a task of its own, maybe running first) may
    unassign the ticket: the breach is still the former assignee's and team's. The sweep inserts
    without reading ids back; the task finds them, so the sweep itself spends nothing on mail.
    """
    notices = [
        [
            row.ticket_id,
            row.kind,
            row.data["target"],
            row.created_at.isoformat(),
            row.ticket.assignee_id,
            row.ticket.team_id,
        ]
        for row in rows
        if (row.kind in (WARNING, BREACHED) and row.ticket.assignee_id) or (row.kind == BREACHED and row.ticket.team_id)
    ]
    if notices:
        from tickets.tasks import send_sla_mail_task  # tasks import the services

        transaction.on_commit(lambda: send_sla_mail_task.delay(notices), robust=True)


def _people_by_event(notices: list[Notice]) -> dict[int, tuple[int | None, int | None]]:
    """Event id -> (assignee id, team id) of each notice (one query)."""
    people = {(t, kind, target, parse_datetime(at)): (a, team) for t, kind, target, at, a, team in notices}
    found = TicketEvent.objects.filter(
        ticket_id__in={key[0] for key in people},
        kind__in=(WARNING, BREACHED),
        created_at__gte=min(key[3] for key in people),
    ).values_list("pk", "ticket_id", "kind", "data__target", "created_at")
    return {pk: people[tuple(key)] for pk, *key in found if tuple(key) in people}


def send_sla_mail(*, notices: list[Notice]) -> int:
    """Mail each person their share of the notices in one message; returns how many messages went out.

    Sends each notice at most once: its event is marked "emailed" under a row lock before any mail
    leaves, so a retried or redelivered task finds nothing left to send. The mail server is reached
    first, so while it is down this raises (the task retries) with nothing marked; a crash between
    marking and sending loses those mails, while the breach stays on the timeline and in the queue.
    """
    people = _people_by_event(notices)
    sent = 0
    with get_connection() as connection:
        events = _claim(list(people))
        for mail in _mails(events, people, connection):
            try:
                mail.send()
            except (SMTPException, OSError) as exc:  # one refused address must not hold up the others
                logger.error("SLA mail to %s failed: %r", mail.to[0], exc)
            else:
                sent += 1
    return sent


def _claim(event_ids: list[int]) -> list[TicketEvent]:
    """The warnings and breaches among these events not mailed yet, marked "emailed" in one commit.

    Locked in pk order: a second task given the same events waits here, then finds them marked.
    """
    with transaction.atomic():
        events = list(
            TicketEvent.objects.select_for_update()
            .filter(pk__in=event_ids, kind__in=(WARNING, BREACHED))
            .exclude(data__has_key="emailed")
            .order_by("pk")
        )
        for event in events:
            event.data["emailed"] = True
        update_rows(events, ["data"])
    return events


def _mails(
    events: list[TicketEvent], people: dict[int, tuple[int | None, int | None]], connection: BaseEmailBackend
) -> list[EmailMessage]:
    """One message per active person with an address: the assignee's warnings and breaches, the lead's breaches."""
    team_ids = {team_id for _, team_id in people.values() if team_id}
    leads = dict(Team.objects.filter(pk__in=team_ids, lead__isnull=False).values_list("pk", "lead_id"))
    by_user: dict[int, list[TicketEvent]] = {}
    for event in events:
        assignee_id, team_id = people[event.pk]
        recipients = {assignee_id, leads.get(team_id) if event.kind == BREACHED else None} - {None}
        for user_id in recipients:
            by_user.setdefault(user_id, []).append(event)
    if not by_user:
        return []
    users = User.objects.filter(pk__in=by_user, is_active=True).exclude(email="").order_by("pk")
    tickets = Ticket.objects.only("id", "subject").in_bulk({event.ticket_id for event in events})
    return [_mail(user, by_user[user.pk], tickets, connection) for user in users]


def _mail(
    user: User, events: list[TicketEvent], tickets: dict[int, Ticket], connection: BaseEmailBackend
) -> EmailMessage:
    # Breaches first, then the earliest due; a warning whose target breached in the same sweep is news no more.
    events = sorted(events, key=lambda e: (e.kind != BREACHED, _due(e), e.ticket_id))
    lines, listed = [], set()
    for event in events:
        target = (event.ticket_id, event.data["target"])
        if target in listed:
            continue
        listed.add(target)
        lines.append(
            {
                "number": event.ticket_id,
                "subject": tickets[event.ticket_id].subject,
                "label": TARGETS[event.data["target"]],
                "breached": event.kind == BREACHED,
                "due": _due(event),
                "url": settings.PUBLIC_URL + reverse("tickets:detail", args=[event.ticket_id]),
            }
        )
    breached = sum(line["breached"] for line in lines)
    counts = {"breached": breached, "due soon": len(lines) - breached}
    context = {
        "name": user.display_name,
        "lines": lines[:MAX_LINES],
        "more": max(len(lines) - MAX_LINES, 0),
        "queue_url": settings.PUBLIC_URL + reverse("tickets:queue"),
    }
    return EmailMessage(
        subject="SLA: " + ", ".join(f"{n} {what}" for what, n in counts.items() if n),
        body=render_to_string("tickets/sla_mail.txt", context).strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
        connection=connection,
    )


def _due(event: TicketEvent) -> datetime:
    return parse_datetime(event.data["due"])
