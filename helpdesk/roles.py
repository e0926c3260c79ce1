"""Who may do what. Roles live on the user; these helpers are the only place that reads them."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    AGENT = "agent", "Agent"
    LIGHT_AGENT = "light_agent", "Light agent"
    CUSTOMER = "customer", "Customer"


STAFF_ROLES = {Role.ADMIN, Role.AGENT, Role.LIGHT_AGENT}


def role_of(user) -> Role | None:
    if not user or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return Role(user.role)


def is_staff_member(user) -> bool:
    """Admins, agents and light agents: everyone who works in the agent UI."""
    return role_of(user) in STAFF_ROLES


def can_reply_publicly(user) -> bool:
    return role_of(user) in {Role.ADMIN, Role.AGENT}


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN
