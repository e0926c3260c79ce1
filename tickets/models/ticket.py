from datetime import datetime

from django.conf import settings
from django.db import models

from tickets.models.choices import Channel, Priority, Status
from tickets.models.team import Team


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """One conversation with one customer, whatever channels it crosses.

    Changed only through tickets.services, which also write the timeline.
    """

    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    language = models.CharField(max_length=16, blank=True)
    # Thread hint for channels with a conversation id (chat session, X conversation, ...).
    conversation_id = models.CharField(max_length=255, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # A customer's reply to a closed ticket opens this ticket, linked to the one it continues.
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    # Other people on the conversation (e-mail Cc): they get the replies and may write to it.
    cc = models.ManyToManyField("customers.Customer", blank=True, related_name="cc_tickets")
    # Agents who hear about every change, besides the assignee and team.
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    # When the status last changed (time-based automations: "pending for 3 days").
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_agent_reply_at = models.DateTimeField(null=True, blank=True)
    # SLA (tickets/services/sla.py): the policy that applies and each target's due time while it
    # runs, for the queue; the clock's state lives in SlaClock.
    sla_policy = models.ForeignKey("SlaPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="ticket_status_valid"),
            models.CheckConstraint(condition=models.Q(priority__in=Priority.values), name="ticket_priority_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="ticket_channel_valid"),
        ]
        # One index per list an agent sees; each ends in the queue's sort so a page is an index scan.
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="ticket_recent"),
            models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_recent"),
            models.Index(fields=["assignee", "status", "-updated_at"], name="ticket_assignee_recent"),
            models.Index(fields=["team", "status", "-updated_at"], name="ticket_team_recent"),
            models.Index(fields=["channel", "status", "-updated_at"], name="ticket_channel_recent"),
            models.Index(fields=["priority", "status", "-updated_at"], name="ticket_priority_recent"),
            # "Most urgent first": walked in order, so the page stops after 26 rows.
            models.Index(fields=["-priority", "-updated_at", "-id"], name="ticket_priority_sort"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_recent"),
            # Recently solved tickets (the satisfaction survey's beat job).
            models.Index(fields=["solved_at"], name="ticket_solved", condition=models.Q(status="solved")),
            # Time-based automations: "pending since before …".
            models.Index(fields=["status", "status_changed_at"], name="ticket_status_since"),
            models.Index(
                fields=["channel", "conversation_id"],
                name="ticket_conversation",
                condition=~models.Q(conversation_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def number(self) -> int:
        """The number people quote ("ticket #1234"); it is the primary key, so it never changes."""
        return self.pk

    @property
    def sla_due_at(self) -> "datetime | None":
        """The earliest running SLA target, for the queue's "time left"."""
        due = [d for d in (self.first_response_due_at, self.next_response_due_at, self.resolution_due_at) if d]
        return min(due, default=None)

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.SOLVED, Status.CLOSED)
