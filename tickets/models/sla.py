from django.db import models

from tickets.models.choices import Priority
from tickets.models.hours import BusinessCalendar
from tickets.models.ticket import Ticket


class SlaPolicy(models.Model):
    """Response and resolution targets for the tickets that match its conditions.

    Policies are tried in `position` order and the first whose conditions all hold applies; an
    empty condition matches everything. Targets count business time in `calendar` (none: 24/7).
    """

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0, help_text="Lower positions are tried first.")
    active = models.BooleanField(default=True)
    priorities = models.JSONField(default=list, blank=True, help_text="Priority numbers (1-4); empty: any.")
    channels = models.JSONField(default=list, blank=True, help_text="Channel names; empty: any.")
    organizations = models.ManyToManyField("customers.Organization", blank=True, related_name="sla_policies")
    tiers = models.JSONField(default=list, blank=True, help_text='Organization tiers, such as ["vip"]; empty: any.')
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, help_text="Empty: around the clock."
    )
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    pause_when_pending = models.BooleanField(
        default=True, help_text="The clocks stop while the ticket waits on the customer (pending, on hold)."
    )
    # Escalation when a target is breached: raise the priority to at least this, move to this team.
    escalate_priority = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    escalate_team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="On a breach the ticket moves to this team, unassigned, so its lead picks it up.",
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        default=80, help_text="Warn the assignee (or team) when this share of a target has passed."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warn_at_percent__gt=0, warn_at_percent__lt=100), name="sla_warn_percent_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SlaClock(models.Model):
    """The running SLA state of one ticket: targets, pauses, and when the sweep must look next.

    Apart from the ticket so that the sweep reads and writes this narrow table, not the ticket
    row with its many indexes that agents are working on (tickets/services/sla.py).
    """

    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="sla_clock")
    state = models.JSONField(default=dict, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ticket"]
        indexes = [
            models.Index(
                fields=["next_check_at"], name="slaclock_next_check", condition=models.Q(next_check_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"SLA clock of #{self.ticket_id}"
