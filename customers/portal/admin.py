"""Admin for the portal's settings: the new-request form's fields and organizations' ticket sharing."""

from django.contrib import admin

from customers.models import OrganizationPortalSettings, RequestField


@admin.register(RequestField)
class RequestFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "required", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["active", "kind"]


@admin.register(OrganizationPortalSettings)
class OrganizationPortalSettingsAdmin(admin.ModelAdmin):
    list_display = ["organization", "share_tickets"]
    raw_id_fields = ["organization"]
    search_fields = ["organization__name"]
