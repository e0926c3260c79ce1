"""Sending surveys and recording answers. See surveys/models.py for what is stored."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from channels_in.registry import can_send, reply_channel
from customers.models import Identity, IdentityKind
from customers.selectors import opted_out_since
from surveys.models import CsatScale, CsatSurvey, NpsCampaign, NpsResponse
from tickets.inbound import IDENTITY_KIND
from tickets.locks import tickets_for_update
from tickets.models import Channel, Direction, Status, Visibility
from tickets.services.automatic import send_automatic
from tickets.services.reply import recipient

logger = logging.getLogger(__name__)

# A ticket solved longer ago than this is never surveyed: the customer has moved on.
CSAT_CUTOFF = timedelta(days=7)
# A customer may change their answer for this long after first giving it; then it is final.
ANSWER_EDIT_WINDOW = timedelta(days=7)
GOOD, BAD = 5, 1
CSAT_SCORES = {CsatScale.GOOD_BAD: (GOOD, BAD), CsatScale.ONE_TO_FIVE: (1, 2, 3, 4, 5)}
NPS_SCORES = tuple(range(11))
# Invitations mailed per task run: small enough that a run ends well within Celery's visibility
# timeout, so a slow batch is not redelivered (and mailed twice) while it still runs.
NPS_BATCH_SIZE = 100


def survey_url(name: str, token: str) -> str:
    return settings.PUBLIC_URL + reverse(name, args=[token])


def send_csat(*, ticket_id: int) -> CsatSurvey | None:
    """Ask the customer of a solved ticket how we did, once, on the channel they used; None when not due.

    Not for a ticket without a public agent reply (nobody answered them), nor when the customer's
    last message was machine-sent (an auto-responder would answer the survey), nor to an address
    that opted out. Locks the ticket, so a redelivered task finds the survey already written.
    """
    if not settings.CSAT_ENABLED:
        return None
    with transaction.atomic():
        tickets = tickets_for_update(ticket_id)
        if not tickets:
            return None
        (ticket,) = tickets
        if (
            ticket.status != Status.SOLVED
            or ticket.merged_into_id
            or ticket.solved_at is None
            or ticket.solved_at < timezone.now() - CSAT_CUTOFF
            or CsatSurvey.objects.filter(ticket=ticket).exists()
        ):
            return None
        messages = ticket.messages.all()
        if not messages.filter(
            direction=Direction.OUT, visibility=Visibility.PUBLIC, author_agent__isnull=False
        ).exists():
            return None
        last_in = messages.filter(direction=Direction.IN).order_by("-created_at", "-id").first()
        if last_in is not None and last_in.automatic:
            return None
        channel = reply_channel(ticket.channel)
        if not can_send(channel):
            # Live chat has ended by the time a ticket is solved: ask by e-mail instead.
            channel = Channel.EMAIL
        try:
            address, via = recipient(ticket, channel)
        except ValidationError:
            return None
        if opted_out_since(kind=IDENTITY_KIND[channel], address=address):
            return None
        survey = CsatSurvey(
            ticket=ticket, customer=ticket.customer, scale=settings.CSAT_SCALE, channel=channel, sent_at=timezone.now()
        )
        context = {
            "customer_name": ticket.customer.name,
            "number": ticket.pk,
            "url": survey_url("surveys:csat", survey.token),
            "good_url": survey_url("surveys:csat_good", survey.token),
            "bad_url": survey_url("surveys:csat_bad", survey.token),
            "good_bad": survey.scale == CsatScale.GOOD_BAD,
        }
        text = render_to_string("surveys/csat_message.txt", context).strip()
        survey.message = send_automatic(ticket=ticket, channel=channel, address=address, via=via, text=text)
        survey.save()
    return survey


def answer_is_open(answered_at) -> bool:
    """Whether an answer may still be given or changed."""
    return answered_at is None or timezone.now() < answered_at + ANSWER_EDIT_WINDOW


def answer_csat(*, survey: CsatSurvey, score: int, comment: str = "") -> CsatSurvey:
    """Record (or change, within the edit window) the customer's satisfaction score and comment."""
    return _record_answer(survey, score, comment, CSAT_SCORES[survey.scale], "Choose one of the answers.")


def answer_nps(*, response: NpsResponse, score: int, comment: str = "") -> NpsResponse:
    """Record (or change, within the edit window) a customer's 0-10 answer to a campaign."""
    return _record_answer(response, score, comment, NPS_SCORES, "Choose a number from 0 to 10.")


def _record_answer(answer, score: int, comment: str, scores, invalid: str):
    if score not in scores:
        raise ValidationError({"score": invalid})
    if not answer_is_open(answer.answered_at):
        raise ValidationError("This survey is closed; your answer was kept.")
    answer.score, answer.comment = score, comment.strip()
    answer.answered_at = answer.answered_at or timezone.now()
    answer.save(update_fields=["score", "comment", "answered_at"])
    return answer


def launch_nps_campaign(*, campaign_id: int) -> bool:
    """Start mailing a campaign on commit; False when it was launched already (sends nothing twice)."""
    with transaction.atomic():
        campaign = NpsCampaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.sent_at is not None:
            return False
        campaign.sent_at = timezone.now()
        campaign.save(update_fields=["sent_at"])
        from surveys.tasks import send_nps_campaign_task

        transaction.on_commit(lambda: send_nps_campaign_task.delay(campaign_id))
    return True


def invite_nps_audience(*, campaign_id: int, chunk: int = 1000) -> int:
    """Create one invitation per customer with an e-mail address that did not opt out; returns how many are new.

    Idempotent (unique campaign + customer), so a redelivered task adds nobody twice. Each customer
    is invited at their newest such address.
    """
    campaign = NpsCampaign.objects.get(pk=campaign_id)
    identities = Identity.objects.filter(
        kind=IdentityKind.EMAIL, opted_out_at__isnull=True, customer__merged_into__isnull=True
    )
    if campaign.organization_id:
        identities = identities.filter(customer__organization_id=campaign.organization_id)
    rows = identities.order_by("customer_id", "-created_at", "-id").values_list("customer_id", "address")
    created, batch, last_customer = 0, [], None
    for customer_id, address in rows.iterator(chunk_size=chunk):
        if customer_id == last_customer:
            continue
        last_customer = customer_id
        batch.append(NpsResponse(campaign_id=campaign_id, customer_id=customer_id, address=address))
        if len(batch) >= chunk:
            created += len(NpsResponse.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        created += len(NpsResponse.objects.bulk_create(batch, ignore_conflicts=True))
    return created


def send_nps_batch(*, campaign_id: int, size: int) -> int:
    """Mail up to `size` unsent invitations of a campaign over one connection; returns how many went out.

    Each is marked sent right after its mail, so a crash re-sends at most the one being written.
    """
    campaign = NpsCampaign.objects.get(pk=campaign_id)
    pending = list(campaign.responses.filter(sent_at__isnull=True).select_related("customer").order_by("id")[:size])
    if not pending:
        return 0
    with get_connection() as connection:
        for response in pending:
            context = {
                "customer_name": response.customer.name,
                "question": campaign.question,
                "url": survey_url("surveys:nps", response.token),
            }
            EmailMessage(
                subject=campaign.question,
                body=render_to_string("surveys/nps_email.txt", context).strip(),
                to=[response.address],
                headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
                connection=connection,
            ).send()
            NpsResponse.objects.filter(pk=response.pk).update(sent_at=timezone.now())
    return len(pending)
