"""Answers customers give about us: CSAT after a solved ticket, NPS in campaigns.

The token in the link is the only credential of a public survey page, so it is long and random.
"""

import secrets

from django.conf import settings
from django.db import models

from tickets.models import Channel


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CsatScale(models.TextChoices):
    GOOD_BAD = "good_bad", "Good / bad"
    ONE_TO_FIVE = "one_to_five", "1 to 5"


class CsatSurvey(models.Model):
    """The one satisfaction survey of a solved ticket; `good` is stored as 5 and `bad` as 1."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="csat_survey")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="csat_surveys")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    scale = models.CharField(max_length=16, choices=CsatScale.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The automatic message that carried the survey.
    message = models.ForeignKey("tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()
    # The first answer: the customer may change it for a while after (surveys.services.ANSWER_EDIT_WINDOW).
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scale__in=CsatScale.values), name="csat_scale_valid"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5), name="csat_score_1_5"
            ),
        ]
        # Reports read answers by period, and the share of good ones.
        indexes = [models.Index(fields=["answered_at", "score"], name="csat_answered")]

    def __str__(self) -> str:
        return f"CSAT for #{self.ticket_id}"


class NpsCampaign(models.Model):
    """One "how likely are you to recommend us" mailing; no organization means every customer."""

    name = models.CharField(max_length=200)
    question = models.CharField(max_length=300, default="How likely are you to recommend us to a friend or colleague?")
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When an admin launched it; launching twice sends nothing more.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class NpsResponse(models.Model):
    """One customer's invitation to a campaign and, once they answer, their 0-10 score."""

    campaign = models.ForeignKey(NpsCampaign, on_delete=models.CASCADE, related_name="responses")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="nps_responses")
    # The e-mail address invited, chosen when the campaign was launched.
    address = models.CharField(max_length=320)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="nps_one_response_per_customer"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=10), name="nps_score_0_10"
            ),
        ]
        indexes = [
            # The sending task walks the invitations still to send.
            models.Index(fields=["campaign", "id"], name="nps_unsent", condition=models.Q(sent_at__isnull=True)),
            models.Index(fields=["campaign", "score"], name="nps_campaign_score"),
        ]

    def __str__(self) -> str:
        return f"NPS {self.campaign_id} / customer {self.customer_id}"
