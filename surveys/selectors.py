"""Reading survey results: for the ticket page, the beat job and reports."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from surveys.models import CsatScale, CsatSurvey, NpsCampaign
from surveys.services import CSAT_CUTOFF, GOOD
from tickets.models import Direction, Message, Status, Ticket


def csat_for_ticket(ticket: Ticket) -> dict | None:
    """The ticket's satisfaction survey as the agent sees it; None when none was sent."""
    survey = CsatSurvey.objects.filter(ticket=ticket).first()
    if survey is None:
        return None
    if survey.score is None:
        label = "No answer yet"
    elif survey.scale == CsatScale.GOOD_BAD:
        label = "Good" if survey.score == GOOD else "Bad"
    else:
        label = f"{survey.score} / 5"
    return {
        "scale": survey.scale,
        "channel": survey.channel,
        "sent_at": survey.sent_at,
        "answered_at": survey.answered_at,
        "score": survey.score,
        "label": label,
        "comment": survey.comment,
    }


def due_csat_ticket_ids(*, limit: int = 200) -> list[int]:
    """Solved tickets whose survey is due: solved CSAT_DELAY_MINUTES ago, within the cut-off, not surveyed.

    Tickets nobody answered, or whose customer's last message was machine-sent, are left out here
    already, so they do not take the places of due tickets run after run; send_csat checks again.
    """
    now = timezone.now()
    last_in_automatic = (
        Message.objects.filter(ticket=OuterRef("pk"), direction=Direction.IN)
        .order_by("-created_at", "-id")
        .values("automatic")[:1]
    )
    qs = (
        Ticket.objects.filter(
            status=Status.SOLVED,
            merged_into__isnull=True,
            solved_at__lte=now - timedelta(minutes=settings.CSAT_DELAY_MINUTES),
            solved_at__gt=now - CSAT_CUTOFF,
            last_agent_reply_at__isnull=False,
            csat_survey__isnull=True,
        )
        .annotate(last_in_automatic=Subquery(last_in_automatic))
        .filter(Q(last_in_automatic="") | Q(last_in_automatic__isnull=True))
        .order_by("solved_at", "id")
    )
    return list(qs.values_list("pk", flat=True)[:limit])


def nps(campaign: NpsCampaign) -> dict:
    """Net Promoter Score of a campaign's answers: % promoters (9-10) minus % detractors (0-6).

    `score` is None until someone answered.
    """
    counts = campaign.responses.aggregate(
        promoters=Count("id", filter=Q(score__gte=9)),
        passives=Count("id", filter=Q(score__in=[7, 8])),
        detractors=Count("id", filter=Q(score__lte=6)),
    )
    answered = sum(counts.values())
    score = round(100 * (counts["promoters"] - counts["detractors"]) / answered) if answered else None
    return counts | {"score": score}
