from django.contrib import admin

from channels_in.phone.models import Call, CallbackRequest, MenuOption, VoiceSetup


class MenuOptionInline(admin.TabularInline):
    model = MenuOption
    extra = 1
    autocomplete_fields = ["team"]


@admin.register(VoiceSetup)
class VoiceSetupAdmin(admin.ModelAdmin):
    list_display = ["number", "language", "calendar", "team", "transcribe", "active"]
    list_filter = ["active", "language"]
    search_fields = ["number"]
    inlines = [MenuOptionInline]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "direction", "status", "customer_number", "our_number", "duration", "ticket"]
    list_filter = ["direction", "status"]
    search_fields = ["call_sid", "customer_number"]
    date_hierarchy = "created_at"
    list_select_related = ["ticket"]
    raw_id_fields = ["ticket", "message", "logged_by", "team"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = ["number", "ticket", "due_at", "requested_by", "done_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["number"]
    list_select_related = ["ticket", "requested_by"]
    raw_id_fields = ["ticket", "requested_by", "done_by"]
