"""Customer identity: normalising addresses, resolving them to one customer, merging customers."""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import Customer, CustomerEvent, Identity, IdentityKind

_HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_OPAQUE_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def normalise_address(kind: str, address: str) -> str:
    """The canonical form of an address, so that one person has one identity per kind.

    Raises ValidationError with a reason a person can act on.
    """
    value = (address or "").strip()
    if not value:
        raise ValidationError("The address is empty.")
    if kind == IdentityKind.EMAIL:
        value = value.lower()
        validate_email(value)
        return value
    if kind == IdentityKind.PHONE:
        try:
            number = phonenumbers.parse(value, getattr(settings, "PHONE_DEFAULT_REGION", None) or None)
        except phonenumbers.NumberParseException as exc:
            raise ValidationError(f"{value!r} is not a phone number: {exc}.") from exc
        if not phonenumbers.is_possible_number(number):
            raise ValidationError(f"{value!r} is not a possible phone number.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == IdentityKind.X:
        value = value.removeprefix("@").lower()
        if not (_HANDLE_RE.match(value) or value.isdigit()):
            raise ValidationError(f"{address!r} is not an X handle or account id.")
        return value
    if kind in IdentityKind.values:
        if not _OPAQUE_ID_RE.match(value):
            raise ValidationError(f"{value!r} is not a valid {kind} id.")
        return value
    raise ValidationError(f"Unknown identity kind {kind!r}.")


def resolve_identity(*, kind: str, address: str, name: str = "") -> Identity:
    """The identity for this address, creating the customer and identity on first contact.

    Runs inside the caller's transaction. If another transaction creates the same identity first,
    the unique constraint raises IntegrityError and the caller retries (ingest does), so two first
    messages from one address give one customer. No savepoint: this is on ingest's hot path.
    """
    address = normalise_address(kind, address)
    # No ORDER BY (the default ordering would add one): (kind, address) is unique.
    found = Identity.objects.select_related("customer").filter(kind=kind, address=address).order_by()[:1]
    if found:
        return found[0]
    customer = Customer.objects.create(name=name[:200] or _name_from_address(kind, address))
    return Identity.objects.create(customer=customer, kind=kind, address=address, display_name=name[:200])


def resolve_identities(wanted: dict[tuple[str, str], str]) -> dict[tuple[str, str], Identity]:
    """The identities for many normalised (kind, address) pairs at once, creating the missing ones.

    `wanted` maps each pair to the sender's display name (for a new customer). Three queries,
    whatever the number of pairs: batch ingest calls this once per batch. Runs in the caller's
    transaction; a concurrent first contact raises IntegrityError and the caller retries.
    """
    by_kind: dict[str, list[str]] = {}
    for kind, address in wanted:
        by_kind.setdefault(kind, []).append(address)
    query = Q()
    for kind, addresses in by_kind.items():
        query |= Q(kind=kind, address__in=addresses)
    found = {(i.kind, i.address): i for i in Identity.objects.select_related("customer").filter(query).order_by()}
    missing = [pair for pair in wanted if pair not in found]
    if missing:
        customers = Customer.objects.bulk_create(
            [Customer(name=wanted[pair][:200] or _name_from_address(*pair)) for pair in missing]
        )
        created = Identity.objects.bulk_create(
            [
                Identity(customer=customer, kind=kind, address=address, display_name=wanted[(kind, address)][:200])
                for (kind, address), customer in zip(missing, customers, strict=True)
            ]
        )
        found.update({(i.kind, i.address): i for i in created})
    return found


def _name_from_address(kind: str, address: str) -> str:
    return address.split("@")[0] if kind == IdentityKind.EMAIL else address


def add_identity(*, customer: Customer, kind: str, address: str) -> Identity:
    """Link another address to a customer; refuses an address that belongs to someone else."""
    if customer.merged_into_id:
        raise ValidationError(f"This customer was merged into customer {customer.merged_into_id}; add it there.")
    address = normalise_address(kind, address)
    existing = Identity.objects.filter(kind=kind, address=address).first()
    if existing:
        if existing.customer_id == customer.pk:
            return existing
        raise ValidationError(f"{address} already belongs to customer {existing.customer_id}; merge them instead.")
    return Identity.objects.create(customer=customer, kind=kind, address=address)


@transaction.atomic
def merge_customers(*, source: Customer, target: Customer, by=None) -> Customer:
    """Move every identity and ticket of `source` to `target`; `source` stays as an audited stub."""
    if source.pk == target.pk:
        raise ValidationError("A customer cannot be merged into itself.")
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError("One of these customers was already merged into another; use the surviving one.")
    from tickets.services.customers import move_customer_tickets  # tickets depends on customers, not back

    identities = list(source.identities.values_list("kind", "address"))
    source.identities.update(customer=target)
    moved = move_customer_tickets(source=source, target=target, by=by)
    for field in ("language", "time_zone", "organization_id"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    if source.notes:
        target.notes = f"{target.notes}\n\n{source.notes}".strip()
    if source.user_id and not target.user_id:
        target.user_id, source.user_id = source.user_id, None
    source.merged_into = target
    source.save(update_fields=["merged_into", "user", "updated_at"])
    target.save()
    data = {"source": source.pk, "target": target.pk, "identities": identities, "tickets": moved}
    CustomerEvent.objects.bulk_create(
        [
            CustomerEvent(customer=target, kind=CustomerEvent.Kind.MERGED, actor=by, data=data),
            CustomerEvent(customer=source, kind=CustomerEvent.Kind.MERGED, actor=by, data=data),
        ]
    )
    return target


def set_opt_out(*, kind: str, address: str, opted_out: bool, channel: str) -> Identity | None:
    """Record that this address asked to stop (or start again) receiving messages; audited.

    `channel` says where the request came from (the keyword was sent by SMS, ...). Returns the
    identity, or None when the address is unknown (nothing to record).
    """
    identity = Identity.objects.filter(kind=kind, address=normalise_address(kind, address)).first()
    if identity is None or bool(identity.opted_out_at) == opted_out:
        return identity
    identity.opted_out_at = timezone.now() if opted_out else None
    identity.save(update_fields=["opted_out_at"])
    CustomerEvent.objects.create(
        customer_id=identity.customer_id,
        kind=CustomerEvent.Kind.OPTED_OUT if opted_out else CustomerEvent.Kind.OPTED_IN,
        data={"kind": kind, "address": identity.address, "channel": channel},
    )
    return identity
