"""Celery tasks of the customers app: thin wrappers around services."""

from celery import shared_task

from customers.portal import services as portal


@shared_task
def send_login_link_task(address: str) -> bool:
    """Mail a portal sign-in link; in a task, so the login page answers alike for known and unknown
    addresses (its timing tells nothing)."""
    return portal.send_login_link(address=address)
