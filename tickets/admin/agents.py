"""Admin for automatic assignment: agent profiles (capacity, languages, skills, working hours)."""

from django.contrib import admin

from helpdesk.roles import STAFF_ROLES
from tickets.models import AgentProfile


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "presence", "presence_changed_at", "capacity", "chat_capacity", "calendar"]
    list_filter = ["presence", "calendar"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "calendar"]
    filter_horizontal = ["skills"]
    # Presence is the agent's own switch (it starts waiting tickets and offline reassignment), and
    # last_assigned_at is the round-robin's memory: shown, not edited here.
    readonly_fields = ["presence", "presence_changed_at", "last_assigned_at"]
    fieldsets = [
        (None, {"fields": ["user", "presence", "presence_changed_at", "last_assigned_at"]}),
        ("Assignment", {"fields": ["capacity", "chat_capacity", "languages", "skills", "calendar"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(role__in=STAFF_ROLES, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
