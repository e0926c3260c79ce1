from django.conf import settings
from django.db import models

from tickets.models.choices import Automatic, Channel, DeliveryStatus, Direction, Visibility
from tickets.models.ticket import Ticket


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    author_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # The address it came from or goes to (e-mail, E.164 number, handle).
    address = models.CharField(max_length=320, blank=True)
    # Our side: the mailbox, phone number or page it came in on or goes out from.
    channel_address = models.CharField(max_length=320, blank=True)
    # Where the sender wants answers to go, when not to `address` (e-mail Reply-To).
    reply_to = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised HTML")
    # Quoted history and signature split off body_text: shown on request, never lost.
    body_quoted = models.TextField(blank=True)
    automatic = models.CharField(max_length=16, choices=Automatic.choices, blank=True)
    # Channel details (public post or DM, WhatsApp template, call menu choices): display only.
    meta = models.JSONField(default=dict, blank=True)
    # Provider id (Message-ID, Twilio SID, ...): unique per channel, the key for idempotent ingest.
    external_id = models.CharField(max_length=255, null=True, blank=True)
    delivery_status = models.CharField(max_length=16, choices=DeliveryStatus.choices, blank=True)
    delivery_error = models.TextField(blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                name="message_unique_external_id",
                condition=models.Q(external_id__isnull=False),
            ),
            models.CheckConstraint(condition=models.Q(direction__in=Direction.values), name="message_direction_valid"),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values), name="message_visibility_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(direction=Direction.OUT) | models.Q(visibility=Visibility.PUBLIC),
                name="message_inbound_is_public",
            ),
        ]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_timeline"),
            models.Index(
                fields=["delivery_status", "next_attempt_at"],
                name="message_outbox",
                condition=models.Q(delivery_status__in=["queued", "sending", "retrying"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.channel} message {self.pk} on #{self.ticket_id}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.message.ticket_id}/{instance.message_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=500, blank=True)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    # The id an HTML body refers to with `cid:` (an inline image), without angle brackets.
    content_id = models.CharField(max_length=255, blank=True)
    # Set when the file was refused (too large, ...): the message keeps a record of what was sent.
    refused_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
