"""IMAP mailboxes the helpdesk polls for customer mail (transport: channels_in/email/poller.py)."""

from email.utils import formataddr

from django.core.exceptions import ValidationError
from django.db import models

from helpdesk.fields import EncryptedTextField


class Security(models.TextChoices):
    SSL = "ssl", "SSL/TLS"
    STARTTLS = "starttls", "STARTTLS"
    NONE = "none", "None (plaintext, local servers only)"


class AfterProcessing(models.TextChoices):
    SEEN = "seen", "Flag as seen"
    MOVE = "move", "Move to a folder"


class Mailbox(models.Model):
    """One IMAP folder polled for mail, with the poll position that makes polling restart-safe."""

    name = models.CharField(max_length=100, unique=True)
    address = models.EmailField("e-mail address", help_text="The address customers write to.")
    host = models.CharField("IMAP host", max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=8, choices=Security.choices, default=Security.SSL)
    username = models.CharField(max_length=255)
    password = EncryptedTextField()
    folder = models.CharField(max_length=255, default="INBOX")
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailboxes",
        help_text="The team that gets tickets from this address.",
    )
    after_processing = models.CharField(
        max_length=8,
        choices=AfterProcessing.choices,
        default=AfterProcessing.SEEN,
        help_text="What happens to a mail on the server once it is stored in the helpdesk.",
    )
    move_to_folder = models.CharField(
        max_length=255, blank=True, help_text="For “move”: the folder (created if missing)."
    )
    active = models.BooleanField(default=True)
    acknowledge = models.BooleanField(
        "acknowledge new tickets",
        default=True,
        help_text="Answer a customer's first mail with an automatic acknowledgement (never to robots).",
    )
    # Sending: replies to mail that came in here go out from this address, over this server if set.
    from_name = models.CharField(max_length=100, blank=True, help_text="Shown as the sender, e.g. “ACME Support”.")
    smtp_host = models.CharField(
        "SMTP host", max_length=255, blank=True, help_text="Empty: the helpdesk's default mail server (EMAIL_URL)."
    )
    smtp_port = models.PositiveIntegerField("SMTP port", default=587)
    smtp_security = models.CharField("SMTP security", max_length=8, choices=Security.choices, default=Security.STARTTLS)
    smtp_username = models.CharField("SMTP user", max_length=255, blank=True, help_text="Empty: the IMAP user.")
    smtp_password = EncryptedTextField("SMTP password", blank=True)
    # Poll state: UIDs are only meaningful together with the folder's UIDVALIDITY.
    uidvalidity = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.PositiveBigIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    # A lease rather than a held lock, so that a killed poller's claim runs out by itself.
    polling_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["host", "username", "folder"], name="mailbox_unique_folder"),
            models.CheckConstraint(condition=models.Q(security__in=Security.values), name="mailbox_security_valid"),
            models.CheckConstraint(
                condition=models.Q(smtp_security__in=Security.values), name="mailbox_smtp_security_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(after_processing=AfterProcessing.SEEN)
                | (models.Q(after_processing=AfterProcessing.MOVE) & ~models.Q(move_to_folder="")),
                name="mailbox_after_processing_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def from_header(self) -> str:
        return formataddr((self.from_name or self.name, self.address))

    def clean(self) -> None:
        if self.after_processing == AfterProcessing.MOVE and not self.move_to_folder:
            raise ValidationError({"move_to_folder": "Name the folder to move processed mail to."})
