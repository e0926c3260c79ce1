from django.contrib import admin

from customers import admin_privacy  # noqa: F401 (registers the erasure requests)
from customers.models import Customer, CustomerEvent, Identity, Organization
from customers.portal import admin as portal_admin  # noqa: F401 (registers request fields, portal settings)


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "organization", "language", "created_at"]
    search_fields = ["name", "identities__address"]
    list_select_related = ["organization"]
    raw_id_fields = ["user", "merged_into"]
    inlines = [IdentityInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(CustomerEvent)
class CustomerEventAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "actor", "created_at"]
    raw_id_fields = ["customer", "actor"]

    def has_change_permission(self, request, obj=None):
        return False
