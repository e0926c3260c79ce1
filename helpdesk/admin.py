from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from helpdesk.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Agents and admins are users with a role; teams are edited on the team."""

    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Helpdesk", {"fields": ["role"]})]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Helpdesk", {"fields": ["role", "email", "first_name", "last_name"]}),
    ]
