from django.db import models

from tickets.models.choices import Channel


class FailedInbound(models.Model):
    """An inbound payload we could not turn into a message, kept raw so nothing is lost.

    Admins see these in the admin and can retry them once the cause is fixed.
    """

    class State(models.TextChoices):
        FAILED = "failed", "Failed"
        RETRIED = "retried", "Retried successfully"
        DISCARDED = "discarded", "Discarded"

    channel = models.CharField(max_length=16, choices=Channel.choices)
    external_id = models.CharField(max_length=255, blank=True)
    payload = models.TextField(help_text="The raw payload as received (or the normalised message as JSON)")
    payload_format = models.CharField(max_length=16, default="inbound-json")
    error = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.FAILED)
    attempts = models.PositiveSmallIntegerField(default=1)
    message = models.ForeignKey("tickets.Message", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "-created_at"], name="failedinbound_state")]
        verbose_name = "failed inbound message"

    def __str__(self) -> str:
        return f"{self.channel} payload {self.pk} ({self.state})"
