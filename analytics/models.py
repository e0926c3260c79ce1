"""What the reports read instead of raw tickets and messages (docs: analytics/reports.py).

`TicketMetrics` holds each ticket's derived numbers, recomputed from its timeline when something
happens to it (analytics/metrics.py); `DailyRollup` and `DailyAgentRollup` count what happened per
day, for history (analytics/rollups.py). Durations are whole seconds; "business" ones count only the open hours of
the ticket's calendar (see analytics.metrics.calendar_for).
"""

from django.conf import settings
from django.db import models
from django.db.models.lookups import Exact

from tickets.models import Channel, Priority

# Every this-many-th ticket (by id, so spread evenly over time and kind) forms the sample that
# percentiles over large ranges are computed from (analytics/reports.py).
SAMPLE_EVERY = 4
IN_SAMPLE = models.Q(Exact(models.F("ticket_id") % SAMPLE_EVERY, 0))
# Tickets created per hour of the day, as DailyRollup columns, for the heat map.
HOURS = [f"created_h{hour:02}" for hour in range(24)]


class TicketMetrics(models.Model):
    """One ticket's response, resolution and reopen figures, with copies of its grouping fields.

    The copies (channel, team, assignee, priority) let the dashboard filter and group without joining
    the ticket table; they follow the ticket because changing them writes a timeline event. Tickets
    merged into another have no row: their conversation counts on the ticket they were merged into.
    """

    ticket = models.OneToOneField("tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="metrics")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    team = models.ForeignKey("tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    created_at = models.DateTimeField()
    # The first public agent reply, measured from the customer's first message.
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.IntegerField(null=True, blank=True)
    first_response_business_seconds = models.IntegerField(null=True, blank=True)
    # Later waits: from a customer message that follows our answer to the next agent reply (mean per ticket).
    next_response_count = models.PositiveIntegerField(default=0)
    next_response_seconds = models.IntegerField(null=True, blank=True)
    next_response_business_seconds = models.IntegerField(null=True, blank=True)
    # First time solved, from creation, even if reopened since.
    first_solved_at = models.DateTimeField(null=True, blank=True)
    resolution_seconds = models.IntegerField(null=True, blank=True)
    resolution_business_seconds = models.IntegerField(null=True, blank=True)
    # Solved (or closed) now, since the last solve; empty while the ticket is open.
    solved_at = models.DateTimeField(null=True, blank=True)
    full_resolution_seconds = models.IntegerField(null=True, blank=True)
    full_resolution_business_seconds = models.IntegerField(null=True, blank=True)
    replies_count = models.PositiveIntegerField(default=0, help_text="Public replies written by agents.")
    reopened_count = models.PositiveIntegerField(default=0)
    first_contact_resolution = models.BooleanField(
        default=False, help_text="Solved with exactly one public agent reply and never reopened."
    )
    # The newest timeline event: roll-ups look for a day's events only on tickets active since then.
    last_event_at = models.DateTimeField()

    class Meta:
        # By the column: ordering by "ticket" would follow Ticket's ordering, a join on every query.
        ordering = ["ticket_id"]
        verbose_name_plural = "ticket metrics"
        # Each report reads a date range of one timestamp; the grouping columns after it let the
        # created-ticket counts and the heat map run as index-only scans.
        indexes = [
            models.Index(fields=["created_at", "channel", "team", "priority", "assignee"], name="metrics_created"),
            models.Index(fields=["first_response_at"], name="metrics_first_response"),
            models.Index(fields=["solved_at"], name="metrics_solved"),
            models.Index(fields=["first_response_at"], name="metrics_first_response_sample", condition=IN_SAMPLE),
            models.Index(fields=["solved_at"], name="metrics_solved_sample", condition=IN_SAMPLE),
            models.Index(fields=["last_event_at"], name="metrics_last_event"),
            # The backlog and each agent's open load, counted from the index alone.
            models.Index(
                fields=["assignee", "channel", "team", "priority"],
                name="metrics_open",
                condition=models.Q(solved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Metrics of #{self.ticket_id}"


class RefreshState(models.Model):
    """Where a refresh job stands; its row is also the job's lock (select_for_update).

    `metrics`: the last TicketEvent id read, and the ids below it not seen yet (`pending_ids`, see
    analytics/metrics.py). `rollups`: when the roll-up was last written.
    """

    class Job(models.TextChoices):
        METRICS = "metrics", "Ticket metrics"
        ROLLUPS = "rollups", "Daily roll-up"

    job = models.CharField(max_length=16, choices=Job.choices, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    # [[event id, ISO time it was first missed], ...]
    pending_ids = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job"]

    def __str__(self) -> str:
        return f"{self.get_job_display()} refreshed at {self.refreshed_at}"


class RollupCounts(models.Model):
    """What happened on one day (in TIME_ZONE) to the tickets of one channel, team and priority.

    Each fact counts on the day it happened: a ticket on the day it was created and each day it was
    solved or reopened, a reply on the day it was written, an SLA target on the day it was met or
    breached. Sums over any rows are meaningful. The backlog of a day is not stored: reports take
    the tickets open now and undo each later day's created - solved + reopened (analytics/reports.py).
    """

    day = models.DateField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    team = models.ForeignKey("tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    created = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0, help_text="Tickets first answered.")
    # A ticket solved, reopened and solved again counts twice in `solved`.
    solved = models.PositiveIntegerField(default=0, help_text="Times tickets were solved or closed.")
    reopened = models.PositiveIntegerField(default=0, help_text="Times a solved or closed ticket was reopened.")
    # Tickets solved now whose last solve fell on that day, and of those, how they were solved.
    resolved = models.PositiveIntegerField(default=0)
    resolved_first_contact = models.PositiveIntegerField(default=0)
    resolved_reopened = models.PositiveIntegerField(default=0, help_text="Resolved tickets that had been reopened.")
    resolved_next_response = models.PositiveIntegerField(
        default=0, help_text="Resolved tickets whose customer wrote again after an answer."
    )
    replies = models.PositiveIntegerField(default=0, help_text="Public replies written by agents.")
    sla_first_response_met = models.PositiveIntegerField(default=0)
    sla_first_response_breached = models.PositiveIntegerField(default=0)
    sla_next_response_met = models.PositiveIntegerField(default=0)
    sla_next_response_breached = models.PositiveIntegerField(default=0)
    sla_resolution_met = models.PositiveIntegerField(default=0)
    sla_resolution_breached = models.PositiveIntegerField(default=0)
    csat_sent = models.PositiveIntegerField(default=0)
    csat_answered = models.PositiveIntegerField(default=0)
    csat_good = models.PositiveIntegerField(default=0, help_text="Answers of 4 or 5 (good counts as 5).")
    csat_score_sum = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupCounts):
    """Per day, channel, team and priority: a few hundred rows a day, what most reports sum.

    Also holds `created` split by hour of the day (HOURS), so the heat map sums these rows too.
    """

    class Meta:
        ordering = ["day", "id"]
        indexes = [models.Index(fields=["day"], name="rollup_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}"


# Twenty-four columns spelled out would repeat this line; the migration lists them all.
for _hour in HOURS:
    DailyRollup.add_to_class(_hour, models.PositiveIntegerField(default=0))


class DailyAgentRollup(RollupCounts):
    """The same counts split per agent, for the agents table and a report about one agent.

    `agent` is the ticket's assignee, except for `replies`, where it is the reply's author.
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["day", "id"]
        indexes = [
            models.Index(fields=["day"], name="agent_rollup_day"),
            models.Index(fields=["agent", "day"], name="agent_rollup_agent_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} agent {self.agent_id}"
