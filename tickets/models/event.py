from django.conf import settings
from django.db import models

from tickets.models.ticket import Ticket


class TicketEvent(models.Model):
    """Append-only timeline of every change to a ticket; written only by tickets/timeline.py."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        MESSAGE_ADDED = "message_added", "Message added"
        ASSIGNED = "assigned", "Assigned"
        STATUS_CHANGED = "status_changed", "Status changed"
        PRIORITY_CHANGED = "priority_changed", "Priority changed"
        TAGS_CHANGED = "tags_changed", "Tags changed"
        MERGED = "merged", "Merged"
        CUSTOMER_CHANGED = "customer_changed", "Customer changed"
        DELIVERY_FAILED = "delivery_failed", "Delivery failed"
        SLA_WARNING = "sla_warning", "SLA warning"
        SLA_BREACHED = "sla_breached", "SLA breached"
        SLA_MET = "sla_met", "SLA met"
        RULE_APPLIED = "rule_applied", "Rule applied"
        FOLLOWERS_CHANGED = "followers_changed", "Followers changed"
        LANGUAGE_CHANGED = "language_changed", "Language changed"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="ticketevent_timeline")]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"
