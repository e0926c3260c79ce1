"""X (Twitter) accounts the helpdesk answers, and the keyword searches it listens to.

Each readable stream (mentions, DMs, a search) keeps a restart-safe position: `since_id` (everything
up to it is stored) plus, while a backlog is read over several polls, the pagination token to go on
with and the newest id of that walk (see poller.py).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from helpdesk.fields import EncryptedTextField

_NOT_SHOWN = "Never shown again once saved."
_SECRETS = ("bearer_token", "consumer_key", "consumer_secret", "access_token", "access_token_secret")


class XAccount(models.Model):
    """One X account: its mentions and DMs become tickets, replies are posted as it.

    The account whose user id is X_USER_ID takes every secret left empty here from the X_*
    environment variables; `sync_environment` creates that account, so a single-account setup needs
    nothing in the admin.
    """

    handle = models.CharField(max_length=15, help_text="Without the @, e.g. AcmeSupport.")
    user_id = models.CharField(
        "user id",
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^\d+$", "The numeric account id, not the handle.")],
        help_text="The numeric id of the account (not the handle).",
    )
    bearer_token = EncryptedTextField(
        blank=True, help_text=f"App-only token: reads mentions and searches. {_NOT_SHOWN}"
    )
    consumer_key = EncryptedTextField(blank=True, help_text=f"API key of the app. {_NOT_SHOWN}")
    consumer_secret = EncryptedTextField(blank=True, help_text=f"API key secret of the app. {_NOT_SHOWN}")
    access_token = EncryptedTextField(blank=True, help_text=f"The account's access token: posts and DMs. {_NOT_SHOWN}")
    access_token_secret = EncryptedTextField(blank=True, help_text=f"The account's access token secret. {_NOT_SHOWN}")
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="x_accounts"
    )
    active = models.BooleanField(default=True)
    read_dms = models.BooleanField(
        "read direct messages", default=True, help_text="Turn off if the API plan has no DM access (saves requests)."
    )
    poll_interval = models.PositiveIntegerField(
        default=120, help_text="Seconds between polls; each poll costs one request per stream at least."
    )

    mentions_since_id = models.CharField(max_length=32, blank=True)
    mentions_resume_token = models.CharField(max_length=255, blank=True)
    mentions_walk_newest_id = models.CharField(max_length=32, blank=True)
    dm_since_id = models.CharField(max_length=32, blank=True)
    dm_resume_token = models.CharField(max_length=255, blank=True)
    dm_walk_newest_id = models.CharField(max_length=32, blank=True)

    next_poll_at = models.DateTimeField(null=True, blank=True)
    # Set from X's x-rate-limit-reset: no request is made before it.
    backoff_until = models.DateTimeField(null=True, blank=True)
    # Lease of the poller working on the account; runs out by itself if that poller dies.
    polling_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["handle"]
        verbose_name = "X account"

    def __str__(self) -> str:
        return f"@{self.handle}"

    def clean(self) -> None:
        if self.poll_interval < settings.X_MIN_POLL_INTERVAL:
            raise ValidationError(
                {"poll_interval": f"At least {settings.X_MIN_POLL_INTERVAL} seconds (the API plan's limit)."}
            )

    @property
    def interval(self) -> int:
        """Seconds to the next poll: never below the floor, whatever is stored."""
        return max(self.poll_interval, settings.X_MIN_POLL_INTERVAL)

    def secret(self, name: str) -> str:
        """A credential, from the environment when left empty on the environment's account."""
        value = getattr(self, name)
        if not value and self.user_id and self.user_id == settings.X_USER_ID:
            return getattr(settings, f"X_{name.upper()}")
        return value

    @property
    def can_read(self) -> bool:
        return bool(self.secret("bearer_token")) or self.can_write

    @property
    def can_write(self) -> bool:
        return all(self.secret(name) for name in _SECRETS[1:])

    @classmethod
    def sync_environment(cls) -> "XAccount | None":
        """The account X_USER_ID describes, created on first use; None when the environment sets none."""
        if not settings.X_USER_ID:
            return None
        account, _ = cls.objects.get_or_create(
            user_id=settings.X_USER_ID,
            defaults={"handle": settings.X_HANDLE or settings.X_USER_ID, "poll_interval": settings.X_POLL_INTERVAL},
        )
        return account

    @classmethod
    def for_user_id(cls, user_id: str) -> "XAccount | None":
        """The account replies from: the one a message arrived on, else the environment's."""
        found = cls.objects.filter(user_id=user_id).first() if user_id else None
        return found or cls.sync_environment()


class XSearch(models.Model):
    """A keyword search (brand names, products): each hit becomes a "listening" ticket.

    Searches cost a request per poll each and count against the plan's monthly post cap: keep the
    query narrow (e.g. `acme -is:retweet lang:en`).
    """

    account = models.ForeignKey(XAccount, on_delete=models.CASCADE, related_name="searches")
    query = models.CharField(
        max_length=512, help_text="X search syntax, e.g. (acme OR acmecorp) -is:retweet -from:AcmeSupport."
    )
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="x_searches",
        help_text="Team of the tickets it opens; empty: the account's team.",
    )
    active = models.BooleanField(default=True)
    since_id = models.CharField(max_length=32, blank=True)
    resume_token = models.CharField(max_length=255, blank=True)
    walk_newest_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["account", "query"]
        verbose_name = "X search"
        verbose_name_plural = "X searches"

    def __str__(self) -> str:
        return self.query
