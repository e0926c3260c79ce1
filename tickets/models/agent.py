from django.conf import settings
from django.db import models


class Presence(models.TextChoices):
    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class AgentProfile(models.Model):
    """What automatic assignment needs to know about an agent (tickets/services/assign.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="agent_profile"
    )
    presence = models.CharField(max_length=8, choices=Presence.choices, default=Presence.OFFLINE)
    presence_changed_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(default=20, help_text="Open tickets assigned at most.")
    chat_capacity = models.PositiveSmallIntegerField(default=3, help_text="Live chats at once at most.")
    languages = models.JSONField(default=list, blank=True, help_text="Language codes the agent answers in.")
    skills = models.ManyToManyField(
        "tickets.Tag", blank=True, related_name="+", help_text="Products or topics, as ticket tags."
    )
    calendar = models.ForeignKey(
        "tickets.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Working hours; empty: any time while online.",
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user"]
        constraints = [
            models.CheckConstraint(condition=models.Q(presence__in=Presence.values), name="agentprofile_presence_valid")
        ]

    def __str__(self) -> str:
        return f"Agent profile of {self.user}"
