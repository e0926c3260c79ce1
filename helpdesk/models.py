from django.contrib.auth.models import AbstractUser
from django.db import models

from helpdesk.roles import Role


class User(AbstractUser):
    """Everyone who signs in: admins, agents, light agents and portal customers."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
