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

    def save(self, *args, **kwargs):
        # The admin role and Django's superuser flag are one thing: keep them in step, so an admin
        # can use the Django admin and a demoted admin loses it.
        if self.is_superuser and self.role != Role.ADMIN and self._state.adding:
            self.role = Role.ADMIN
        admin = self.role == Role.ADMIN
        self.is_superuser = self.is_staff = admin
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_superuser", "is_staff"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
