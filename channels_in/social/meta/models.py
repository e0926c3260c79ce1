"""Meta apps (they sign the webhooks) and the Facebook pages and Instagram accounts we answer for.

Configured in the admin; with none there, the META_* environment variables describe one app and
one page (unsaved instances), for a single-page setup and for tests.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from helpdesk.fields import EncryptedTextField


class MetaApp(models.Model):
    """A Meta developer app whose webhooks we receive."""

    name = models.CharField(max_length=100, unique=True)
    app_secret = EncryptedTextField(help_text="Signs every webhook. Never shown again once saved.")
    verify_token = models.CharField(
        max_length=255, help_text="The verify token typed into the app's webhook settings on Meta's side."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Meta app"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def app_secrets(cls) -> list[str]:
        """Every secret a genuine webhook may be signed with (active apps, then the environment)."""
        secrets = [s for s in cls.objects.filter(active=True).values_list("app_secret", flat=True) if s]
        return secrets + ([settings.META_APP_SECRET] if settings.META_APP_SECRET else [])

    @classmethod
    def verify_tokens(cls) -> list[str]:
        tokens = [t for t in cls.objects.filter(active=True).values_list("verify_token", flat=True) if t]
        return tokens + ([settings.META_VERIFY_TOKEN] if settings.META_VERIFY_TOKEN else [])


class MetaPage(models.Model):
    """A Facebook page, and the Instagram professional account linked to it, that customers write to."""

    page_id = models.CharField("page id", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    page_access_token = EncryptedTextField(help_text="Sends the replies. Never shown again once saved.")
    instagram_id = models.CharField(
        "Instagram account id",
        max_length=64,
        blank=True,
        help_text="The Instagram professional account linked to the page, to answer its direct messages.",
    )
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="meta_pages"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Facebook page"
        constraints = [
            models.UniqueConstraint(
                fields=["instagram_id"], condition=~Q(instagram_id=""), name="metapage_unique_instagram_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_environment(cls) -> "MetaPage | None":
        if not (settings.META_PAGE_ID and settings.META_PAGE_TOKEN):
            return None
        return cls(
            page_id=settings.META_PAGE_ID,
            name="environment",
            page_access_token=settings.META_PAGE_TOKEN,
            instagram_id=settings.META_INSTAGRAM_ID,
        )

    @classmethod
    def for_addresses(cls, addresses: set[str]) -> dict[str, "MetaPage"]:
        """Active pages by page id and by Instagram id, for the ids given (one query)."""
        found: dict[str, MetaPage] = {}
        env_page = cls.from_environment()
        if env_page is not None:
            found.update({env_page.page_id: env_page, env_page.instagram_id: env_page})
        if addresses:
            for page in cls.objects.filter(Q(page_id__in=addresses) | Q(instagram_id__in=addresses), active=True):
                found.update({page.page_id: page, page.instagram_id: page})
        found.pop("", None)
        return {address: page for address, page in found.items() if address in addresses}

    @classmethod
    def for_address(cls, address: str) -> "MetaPage | None":
        """The page a reply leaves from: ours that the customer wrote to, else the environment's."""
        return cls.for_addresses({address}).get(address) if address else cls.from_environment()
