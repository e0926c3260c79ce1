from django.contrib import admin, messages

from surveys import selectors, services
from surveys.models import CsatSurvey, NpsCampaign, NpsResponse


class ReadOnlyAdmin(admin.ModelAdmin):
    """Customers' answers are theirs: staff read them, never write them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CsatSurvey)
class CsatSurveyAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "customer", "channel", "scale", "score", "sent_at", "answered_at"]
    list_filter = ["scale", "score", "channel"]
    list_select_related = ["ticket", "customer"]
    raw_id_fields = ["ticket", "customer", "message"]


@admin.register(NpsResponse)
class NpsResponseAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "customer", "address", "score", "sent_at", "answered_at"]
    list_filter = ["campaign", "score"]
    list_select_related = ["campaign", "customer"]
    raw_id_fields = ["customer"]


@admin.register(NpsCampaign)
class NpsCampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "created_by", "created_at", "sent_at"]
    fields = ["name", "question", "organization", "created_by", "created_at", "sent_at", "result"]
    readonly_fields = ["created_by", "created_at", "sent_at", "result"]
    list_select_related = ["organization", "created_by"]
    actions = ["send_campaign"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="NPS")
    def result(self, obj):
        if obj.pk is None:
            return "—"
        r = selectors.nps(obj)
        score = "no answers yet" if r["score"] is None else r["score"]
        return f"{score} ({r['promoters']} promoters, {r['passives']} passives, {r['detractors']} detractors)"

    @admin.action(description="Send campaign by e-mail")
    def send_campaign(self, request, queryset):
        launched = sum(services.launch_nps_campaign(campaign_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{launched} campaign(s) are being sent.", messages.SUCCESS)
        if launched < queryset.count():
            self.message_user(request, "Campaigns sent before were skipped.", messages.WARNING)
