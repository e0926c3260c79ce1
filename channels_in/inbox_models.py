from django.db import models


class InboundPayload(models.Model):
    """A provider's webhook payload, stored before the webhook answers 2xx (a durable queue).

    The webhook only verifies and stores; Celery turns pending payloads into messages in batches
    (channels_in/inbox.py) and deletes them, so this table holds only what is still to be done.
    Unique per (channel, provider id): a provider's retry of a pending payload is a no-op.
    """

    channel = models.CharField(max_length=16)
    external_id = models.CharField(max_length=255)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="inboundpayload_unique_external_id")
        ]

    def __str__(self) -> str:
        return f"{self.channel} payload {self.external_id}"
