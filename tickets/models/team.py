from django.conf import settings
from django.db import models


class Team(models.Model):
    class Assignment(models.TextChoices):
        MANUAL = "manual", "Manual"
        ROUND_ROBIN = "round_robin", "Round-robin"
        LEAST_LOADED = "least_loaded", "Least loaded"

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        help_text="Gets SLA escalations by e-mail.",
    )
    assignment = models.CharField(max_length=16, choices=Assignment.choices, default=Assignment.MANUAL)
    reassign_offline_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Give an offline agent's open tickets to others after this long; empty: never."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
