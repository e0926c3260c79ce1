"""Admin for time-based automations, and the action row form they share with routing rules."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.utils import formats, timezone

from tickets.models import Automation, AutomationAction, Status
from tickets.rules.validation import validate_action
from tickets.services.automations import describe_minutes


class ActionForm(forms.ModelForm):
    """An action row whose value must fit its kind (a team that exists, a priority 1-4...)."""

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind"):
            try:
                validate_action(cleaned["kind"], cleaned.get("value", ""))
            except ValidationError as exc:
                self.add_error("value", exc)
        return cleaned


class AutomationForm(forms.ModelForm):
    class Meta:
        model = Automation
        fields = ["name", "position", "active", "status", "anchor", "after_minutes", "unassigned_only", "team"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == Status.CLOSED:
            # Closed is final (a customer's reply opens a follow-up), and the closed tickets only
            # pile up: each sweep would walk all of them again, every minute.
            self.add_error("status", "Closed tickets are final; automations act on tickets up to solved.")
        elif cleaned.get("anchor") == Automation.Anchor.SOLVED and cleaned.get("status") != Status.SOLVED:
            # Every other status clears solved_at, so the automation could never fire.
            self.add_error("anchor", "Only solved tickets have a solved time.")
        return cleaned


class AutomationActionInline(admin.TabularInline):
    model = AutomationAction
    form = ActionForm
    extra = 1
    min_num = 1


@admin.register(Automation)
class AutomationAdmin(admin.ModelAdmin):
    form = AutomationForm
    list_display = ["name", "position", "status", "anchor", "after", "unassigned_only", "team", "active"]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["active", "status"]
    search_fields = ["name"]
    list_select_related = ["team"]
    readonly_fields = ["runs"]
    inlines = [AutomationActionInline]
    fieldsets = [
        (None, {"fields": ["name", "position", "active"]}),
        ("Which tickets", {"fields": ["status", "anchor", "after_minutes", "unassigned_only", "team"]}),
        ("Activity", {"fields": ["runs"]}),
    ]

    @admin.display(description="after", ordering="after_minutes")
    def after(self, obj: Automation) -> str:
        return describe_minutes(obj.after_minutes)

    @admin.display(description="runs")
    def runs(self, obj: Automation) -> str:
        if obj.pk is None:
            return "—"
        # One aggregate over this automation's runs; shown on the change page only, not per list row.
        stats = obj.runs.aggregate(
            last=Max("ran_at"), recent=Count("pk", filter=Q(ran_at__gte=timezone.now() - timedelta(days=7)))
        )
        if stats["last"] is None:
            return "never ran"
        last = formats.date_format(timezone.localtime(stats["last"]), "DATETIME_FORMAT")
        recent = stats["recent"]
        return f"last run {last}; {recent} ticket{'' if recent == 1 else 's'} in the last 7 days"
