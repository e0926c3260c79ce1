"""Chat sites (where the widget is embedded) and chat sessions (one live conversation each).

The transcript itself is the ticket's messages; a session only records who talks to whom and when.
See docs/chat-protocol.md for what the widget speaks.
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from tickets.models import Team


def new_site_key() -> str:
    return secrets.token_urlsafe(16)


def normalise_origin(value: str) -> str:
    """`scheme://host[:port]` in lower case, as browsers send it in the Origin header."""
    value = value.strip().rstrip("/").lower()
    if value == "*":
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ValidationError(f"{value!r} is not an origin such as https://www.example.com.")
    return value


class Prechat(models.TextChoices):
    OFF = "off", "Off"
    OPTIONAL = "optional", "Optional"
    REQUIRED = "required", "Required"


class Position(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class ChatSite(models.Model):
    """A website the widget is embedded on; its public `key` is in the embed snippet."""

    name = models.CharField(max_length=100, unique=True)
    key = models.CharField(max_length=32, unique=True, default=new_site_key, editable=False)
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text='Pages the widget may run on, e.g. https://www.example.com ("*" only while DEBUG is on).',
    )
    title = models.CharField(max_length=100, default="Support")
    greeting = models.CharField(max_length=300, default="Hi! How can we help?")
    colour = models.CharField(
        max_length=7, default="#2255dd", validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour like #2255dd.")]
    )
    position = models.CharField(max_length=5, choices=Position.choices, default=Position.RIGHT)
    language = models.CharField(max_length=16, default="en")
    prechat = models.CharField(
        max_length=8, choices=Prechat.choices, default=Prechat.OFF, help_text="Ask for name and e-mail first."
    )
    team = models.ForeignKey(
        "tickets.Team",
        on_delete=models.PROTECT,
        related_name="chat_sites",
        help_text="Its online agents are offered the chats; the chat tickets land in its queue.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(prechat__in=Prechat.values), name="chatsite_prechat_valid"),
            models.CheckConstraint(condition=models.Q(position__in=Position.values), name="chatsite_position_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            origins = [normalise_origin(str(o)) for o in self.allowed_origins or [] if str(o).strip()]
        except ValidationError as exc:
            raise ValidationError({"allowed_origins": exc.messages}) from exc
        if "*" in origins and not settings.DEBUG:
            raise ValidationError({"allowed_origins": '"*" (any site) is only allowed while DEBUG is on.'})
        self.allowed_origins = sorted(set(origins))

    def allows_origin(self, origin: str) -> bool:
        """Whether a page at `origin` may use this site's widget (checked again at run time, not only in clean)."""
        if not origin:
            return False
        if "*" in self.allowed_origins and settings.DEBUG:
            return True
        try:
            return normalise_origin(origin) in self.allowed_origins
        except ValidationError:
            return False


class ChatState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class ChatSession(models.Model):
    """One chat of a visitor on a site: waiting for an agent, active with one, or ended.

    A visitor has at most one open (waiting/active) session per site; `ticket` holds the transcript.
    """

    State = ChatState

    site = models.ForeignKey(ChatSite, on_delete=models.CASCADE, related_name="sessions")
    visitor = models.CharField(max_length=64, help_text="The visitor id (a chat_visitor identity's address).")
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_sessions"
    )
    # Set by the first message (its ingest creates or continues the ticket).
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_sessions"
    )
    state = models.CharField(max_length=8, choices=ChatState.choices, default=ChatState.WAITING)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_sessions"
    )
    # The agent a waiting chat is offered to; an offer counts against their chat capacity.
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_offers"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Read receipts: the highest message seq (Message pk) each side has seen.
    visitor_read_seq = models.BigIntegerField(default=0)
    agent_read_seq = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=ChatState.values), name="chatsession_state_valid"),
            # Two tabs sending a first message at once start one chat, not two.
            models.UniqueConstraint(
                fields=["site", "visitor"],
                condition=models.Q(state__in=["waiting", "active"]),
                name="chatsession_one_open_per_visitor",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "visitor", "-created_at"], name="chatsession_visitor_recent"),
            models.Index(fields=["agent", "state"], name="chatsession_agent_state"),
            models.Index(
                fields=["state", "offered_at"], name="chatsession_waiting", condition=models.Q(state="waiting")
            ),
        ]

    def __str__(self) -> str:
        return f"Chat {self.pk} ({self.get_state_display()}) on {self.site}"

    # The chat belongs to its ticket's team, so a transfer, a routing rule or an agent moving the
    # ticket moves the chat too; the site's team until the ticket has one.
    @property
    def team_id(self) -> int:
        return (self.ticket.team_id if self.ticket_id else None) or self.site.team_id

    @property
    def team(self) -> Team:
        return self.ticket.team if self.ticket_id and self.ticket.team_id else self.site.team
