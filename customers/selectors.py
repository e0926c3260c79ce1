"""Read paths for customers, shared by the agent UI and the API."""

from datetime import datetime

from django.db.models import Q, QuerySet

from customers.models import Customer, Identity


def customers_with_identities() -> QuerySet[Customer]:
    return Customer.objects.select_related("organization").prefetch_related("identities")


def customer_list(query: str = "") -> QuerySet[Customer]:
    """Live customers (not merged away), newest first, optionally matching a name or any address."""
    customers = customers_with_identities().filter(merged_into__isnull=True)
    query = query.strip()
    if query:
        # A subquery, not a join, so a customer with two matching addresses is listed once.
        by_address = Identity.objects.filter(address__icontains=query).values("customer_id")
        customers = customers.filter(Q(name__icontains=query) | Q(pk__in=by_address))
    return customers


def opted_out_since(*, kind: str, address: str) -> datetime | None:
    """When this (normalised) address asked not to be messaged (SMS "STOP"); None if it did not."""
    return (
        Identity.objects.filter(kind=kind, address=address, opted_out_at__isnull=False)
        .values_list("opted_out_at", flat=True)
        .first()
    )
