from django import forms
from django.contrib import admin, messages

from tickets.admin import agents, automations, routing  # noqa: F401 (they register their models)
from tickets.models import (
    BusinessCalendar,
    BusinessHours,
    Channel,
    FailedInbound,
    Holiday,
    Macro,
    Priority,
    SlaPolicy,
    Tag,
    Team,
)
from tickets.services import IngestError, retry_failed_inbound


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "assignment", "lead"]
    list_filter = ["assignment"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    fieldsets = [
        (None, {"fields": ["name", "description", "members"]}),
        ("Assignment", {"fields": ["lead", "assignment", "reassign_offline_minutes"]}),
    ]


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name", "body"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    inlines = [BusinessHoursInline, HolidayInline]


class SlaPolicyForm(forms.ModelForm):
    """The policy's conditions as checkboxes and a list of tiers, not JSON."""

    priorities = forms.TypedMultipleChoiceField(
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: any.",
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="None: any."
    )
    tiers = forms.CharField(
        required=False, help_text="Organization tiers, comma-separated (such as vip, gold); empty: any."
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "position",
            "active",
            "priorities",
            "channels",
            "tiers",
            "organizations",
            "calendar",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "pause_when_pending",
            "warn_at_percent",
            "escalate_priority",
            "escalate_team",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["tiers"] = ", ".join(self.instance.tiers or [])

    def clean_tiers(self) -> list[str]:
        return sorted({tier.strip().lower() for tier in self.cleaned_data["tiers"].split(",") if tier.strip()})


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = [
        "name",
        "position",
        "active",
        "calendar",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
    ]
    list_editable = ["position", "active"]
    filter_horizontal = ["organizations"]
    fieldsets = [
        (None, {"fields": ["name", "position", "active"]}),
        ("Applies to", {"fields": ["priorities", "channels", "tiers", "organizations"]}),
        (
            "Targets (minutes of business time)",
            {"fields": ["calendar", "first_response_minutes", "next_response_minutes", "resolution_minutes"]},
        ),
        (
            "Clock and escalation",
            {"fields": ["pause_when_pending", "warn_at_percent", "escalate_priority", "escalate_team"]},
        ),
    ]


@admin.register(FailedInbound)
class FailedInboundAdmin(admin.ModelAdmin):
    """Payloads we could not process; nothing a customer sent is dropped."""

    list_display = ["id", "channel", "external_id", "state", "attempts", "short_error", "created_at"]
    list_filter = ["state", "channel"]
    search_fields = ["external_id", "error"]
    readonly_fields = [f.name for f in FailedInbound._meta.fields]
    actions = ["retry", "discard"]

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:120]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry the selected payloads")
    def retry(self, request, queryset):
        done = failed = 0
        for item in queryset.filter(state=FailedInbound.State.FAILED):
            try:
                retry_failed_inbound(item)
                done += 1
            except (IngestError, ValueError) as exc:
                failed += 1
                self.message_user(request, f"#{item.pk} failed again: {exc}", messages.ERROR)
        self.message_user(request, f"{done} retried, {failed} failed again.")

    @admin.action(description="Discard the selected payloads (keeps them, marked discarded)")
    def discard(self, request, queryset):
        queryset.update(state=FailedInbound.State.DISCARDED)
