"""Twilio accounts: the numbers SMS, WhatsApp and calls arrive on, and the credentials to answer."""

from django.conf import settings
from django.db import models

from helpdesk.fields import EncryptedTextField


class TwilioAccount(models.Model):
    """One Twilio project and the numbers of it that the helpdesk answers.

    Configured in the admin; with none there, the TWILIO_* environment variables describe one
    (`for_number` returns that unsaved account), for a single-account setup and for tests.
    """

    name = models.CharField(max_length=100, unique=True)
    account_sid = models.CharField("account SID", max_length=64)
    auth_token = EncryptedTextField(help_text="Never shown again once saved.")
    phone_number = models.CharField(
        max_length=32, blank=True, help_text="E.164 number for SMS and calls, e.g. +14155550100."
    )
    whatsapp_number = models.CharField(max_length=32, blank=True, help_text="E.164 WhatsApp sender number.")
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="twilio_accounts"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_environment(cls) -> "TwilioAccount | None":
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            return None
        return cls(
            name="environment",
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            phone_number=settings.TWILIO_PHONE_NUMBER,
            whatsapp_number=settings.TWILIO_WHATSAPP_NUMBER,
        )

    @classmethod
    def for_number(cls, number: str) -> "TwilioAccount | None":
        """The account that owns one of our numbers (the `To` of an inbound message or call)."""
        number = number.removeprefix("whatsapp:")
        found = (
            cls.objects.filter(active=True)
            .filter(models.Q(phone_number=number) | models.Q(whatsapp_number=number))
            .first()
        )
        return found or cls.from_environment()
