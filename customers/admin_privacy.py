"""Admin workflow for erasure requests: an admin erases the customer's personal data, or refuses with a note.

Requests come from the portal's profile page; an admin adds one by hand for a request made by
mail or phone, then runs the action.
"""

from django.contrib import admin, messages

from customers.models import ErasureRequest, ErasureState
from customers.privacy import handle_erasure_request, refuse_erasure_request


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "state", "requested_at", "handled_by", "handled_at"]
    list_filter = ["state"]
    list_select_related = ["customer", "handled_by"]
    raw_id_fields = ["customer"]
    fields = ["customer", "note", "state", "requested_at", "handled_by", "handled_at"]
    actions = ["erase_now", "refuse"]

    def get_readonly_fields(self, request, obj=None):
        # The state changes only through the actions, which do the work and record who did it.
        handled = ["state", "requested_at", "handled_by", "handled_at"]
        return handled if obj is None else ["customer", *handled]

    @admin.action(description="Erase now (anonymise the customer's personal data)")
    def erase_now(self, request, queryset):
        pending = queryset.filter(state=ErasureState.PENDING)
        done = sum(handle_erasure_request(erasure=erasure, by=request.user) for erasure in pending)
        self.message_user(request, f"Erased the data of {done} customer(s).", messages.SUCCESS)

    @admin.action(description="Refuse (write the reason in the note first)")
    def refuse(self, request, queryset):
        pending = queryset.filter(state=ErasureState.PENDING)
        done = sum(refuse_erasure_request(erasure=erasure, by=request.user) for erasure in pending)
        self.message_user(request, f"Refused {done} request(s).", messages.WARNING)
