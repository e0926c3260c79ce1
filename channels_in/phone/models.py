"""The phone channel's records: how a number answers (VoiceSetup), each call, and call-backs agents owe."""

from django.conf import settings
from django.db import models


class VoiceSetup(models.Model):
    """How one of our Twilio numbers answers: greeting, menu, opening hours and voicemail.

    A number without a setup answers with the defaults below (always open, no menu, voicemail).
    """

    class Language(models.TextChoices):
        # Twilio <Say> language codes; the texts below are spoken in this language.
        EN_US = "en-US", "English (US)"
        EN_GB = "en-GB", "English (UK)"
        DE_DE = "de-DE", "German"
        FR_FR = "fr-FR", "French"
        ES_ES = "es-ES", "Spanish"

    number = models.CharField(max_length=32, unique=True, help_text="Our E.164 number, e.g. +14155550100.")
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN_US)
    greeting = models.TextField(default="Thank you for calling.")
    closed_greeting = models.TextField(
        default="Thank you for calling. We are closed right now.", help_text="Said instead outside business hours."
    )
    calendar = models.ForeignKey(
        "tickets.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voice_setups",
        help_text="Empty: always open.",
    )
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voice_setups",
        help_text="Where calls go when no menu option was chosen (else the Twilio account's team).",
    )
    voicemail_prompt = models.TextField(default="Please leave a message after the tone.")
    goodbye = models.TextField(default="Thank you for your message. Goodbye.")
    max_voicemail_seconds = models.PositiveIntegerField(default=120)
    transcribe = models.BooleanField(
        default=True, help_text="Twilio transcribes English voicemails of up to 2 minutes."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_voicemail_seconds__gte=1, max_voicemail_seconds__lte=14400),
                name="voicesetup_voicemail_length_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class MenuOption(models.Model):
    """One digit of a number's menu: the team a caller who presses it reaches."""

    setup = models.ForeignKey(VoiceSetup, on_delete=models.CASCADE, related_name="options")
    digit = models.CharField(max_length=1)
    team = models.ForeignKey("tickets.Team", on_delete=models.CASCADE, related_name="menu_options")
    spoken_label = models.CharField(
        max_length=200, help_text="Said in the menu, in the setup's language, e.g. “For sales, press 1.”"
    )

    class Meta:
        ordering = ["setup", "digit"]
        constraints = [
            models.UniqueConstraint(fields=["setup", "digit"], name="menuoption_unique_digit"),
            models.CheckConstraint(condition=models.Q(digit__regex=r"^[0-9]$"), name="menuoption_digit_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.digit}: {self.team}"


class CallDirection(models.TextChoices):
    IN = "in", "Inbound"
    OUT = "out", "Outbound"


class CallStatus(models.TextChoices):
    """Twilio's call statuses, plus `voicemail`: the caller left a recording."""

    RINGING = "ringing", "Ringing"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    BUSY = "busy", "Busy"
    NO_ANSWER = "no-answer", "No answer"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    VOICEMAIL = "voicemail", "Voicemail"


# How a call can end without a voicemail (Twilio sends nothing more about it, but a recording).
ENDED_WITHOUT_VOICEMAIL = {
    CallStatus.COMPLETED,
    CallStatus.BUSY,
    CallStatus.NO_ANSWER,
    CallStatus.FAILED,
    CallStatus.CANCELED,
}


class Call(models.Model):
    """One phone call: an inbound Twilio call (by SID) or an outbound call an agent logged."""

    # Null for calls logged by hand; Twilio's CallSid otherwise.
    call_sid = models.CharField("call SID", max_length=64, null=True, blank=True, unique=True)
    direction = models.CharField(max_length=3, choices=CallDirection.choices, default=CallDirection.IN)
    status = models.CharField(max_length=16, choices=CallStatus.choices, default=CallStatus.RINGING)
    # The customer's side (the caller of an inbound call) and ours, both E.164.
    customer_number = models.CharField(max_length=32, blank=True)
    our_number = models.CharField(max_length=32, blank=True)
    duration = models.PositiveIntegerField("duration (seconds)", default=0)
    menu_choices = models.JSONField(default=list, blank=True, help_text="Digits pressed, in order.")
    team = models.ForeignKey("tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recording_sid = models.CharField(max_length=64, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    recording_duration = models.PositiveIntegerField(default=0)
    # Twilio's <Record> action said a recording is coming: the call's message waits for it.
    recording_expected = models.BooleanField(default=False)
    transcription = models.TextField(blank=True)
    transcription_status = models.CharField(max_length=16, blank=True)
    # The external id the call's message was stored under (inbox payload): set once, so a call
    # becomes one message however its callbacks are ordered or retried.
    message_external_id = models.CharField(max_length=255, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="phone_calls"
    )
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="phone_calls"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(direction__in=CallDirection.values), name="call_direction_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=CallStatus.values),
                name="call_status_valid",
            ),
        ]
        indexes = [
            # The admin's call list and "calls from this number" lookups.
            models.Index(fields=["-created_at"], name="call_recent"),
            models.Index(fields=["customer_number", "-created_at"], name="call_by_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} call {self.customer_number} ({self.get_status_display()})"

    @property
    def missed(self) -> bool:
        """An inbound call that ended without a voicemail: someone should call back."""
        return self.direction == CallDirection.IN and self.status in ENDED_WITHOUT_VOICEMAIL and not self.recording_sid


class CallbackRequest(models.Model):
    """An agent's note that a customer wants (or needs) a call back; open until marked done."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="callback_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    number = models.CharField(max_length=32, help_text="E.164")
    note = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "created_at", "id"]
        indexes = [
            # Open call-backs by due time (the ticket panel and the admin list).
            models.Index(fields=["due_at"], name="callback_open_due", condition=models.Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Call back {self.number} (#{self.ticket_id})"
