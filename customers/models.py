from django.conf import settings
from django.core.exceptions import ValidationError
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
        ERASED = "erased", "Personal data erased"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class OrganizationPortalSettings(models.Model):
    """How an organization's people use the portal; without a row each member sees only their own tickets."""

    organization = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="portal_settings"
    )
    share_tickets = models.BooleanField(
        default=False, help_text="Members see every ticket of the organization in the portal (read only)."
    )

    class Meta:
        ordering = ["organization"]
        verbose_name = verbose_name_plural = "organization portal settings"

    def __str__(self) -> str:
        return f"Portal settings of {self.organization}"


class RequestFieldKind(models.TextChoices):
    TEXT = "text", "Short text"
    TEXTAREA = "textarea", "Long text"
    SELECT = "select", "List of choices"
    CHECKBOX = "checkbox", "Checkbox"


class RequestField(models.Model):
    """A question admins add to the portal's new-request form; answers are stored on the message."""

    # The answers are stored under the label the customer saw, so two fields cannot share one.
    label = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=RequestFieldKind.choices, default=RequestFieldKind.TEXT)
    choices = models.TextField(blank=True, help_text="For a list of choices: one choice per line.")
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=RequestFieldKind.values), name="requestfield_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.kind == RequestFieldKind.SELECT and not self.choice_list:
            raise ValidationError({"choices": "A list of choices needs at least one choice."})


class ErasureState(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Erased"
    REFUSED = "refused", "Refused"


class ErasureRequest(models.Model):
    """A customer asked for their personal data to be erased; an admin erases it (or refuses, with a note)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="erasure_requests")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=16, choices=ErasureState.choices, default=ErasureState.PENDING)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Why it was refused, or anything the next admin should know.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ErasureState.values), name="erasurerequest_state_valid"
            ),
            # Asking twice while the first request waits gives one request.
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(state="pending"), name="erasurerequest_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"], name="erasurerequest_state")]

    def __str__(self) -> str:
        return f"Erasure of customer {self.customer_id} ({self.get_state_display()})"
