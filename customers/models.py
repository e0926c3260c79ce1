from django.conf import settings
from django.db import models


class IdentityKind(models.TextChoices):
    """Kinds of address. Several channels share one kind (SMS, WhatsApp and phone all use `phone`),
    which is what makes the same person on another channel the same customer."""

    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone (E.164)"
    X = "x", "X account"
    FACEBOOK = "facebook", "Facebook PSID"
    INSTAGRAM = "instagram", "Instagram id"
    TELEGRAM = "telegram", "Telegram id"
    CHAT_VISITOR = "chat_visitor", "Chat visitor"


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    # A service level such as "vip" or "standard", which routing rules and SLA policies look at.
    tier = models.CharField(max_length=32, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    notes = models.TextField(blank=True)
    # Portal login (customer role); most customers never sign in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["-created_at", "-id"])]

    def __str__(self) -> str:
        return self.name or f"Customer {self.pk}"


class Identity(models.Model):
    """One address a customer reaches us from; (kind, address) is unique across all customers."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    address = models.CharField(max_length=320)
    display_name = models.CharField(max_length=200, blank=True)
    # Set when the person asked not to be messaged on this address (SMS "STOP"); cleared by "START".
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "address"]
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="identity_unique_kind_address"),
            models.CheckConstraint(condition=models.Q(kind__in=IdentityKind.values), name="identity_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.address}"


class CustomerEvent(models.Model):
    """Append-only audit of changes to a customer (merge, identity moves)."""

    class Kind(models.TextChoices):
        MERGED = "merged", "Merged"
        OPTED_OUT = "opted_out", "Opted out"
        OPTED_IN = "opted_in", "Opted back in"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
