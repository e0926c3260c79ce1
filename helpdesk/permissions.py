"""DRF permissions: every API view requires a staff role unless it says otherwise."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from helpdesk.roles import can_reply_publicly, is_admin, is_staff_member


class IsAgent(BasePermission):
    """Admins, agents and light agents; light agents may only read (and add internal notes)."""

    message = "This endpoint is for helpdesk staff."

    def has_permission(self, request, view) -> bool:
        if not is_staff_member(request.user):
            return False
        if request.method in SAFE_METHODS or getattr(view, "light_agent_allowed", False):
            return True
        return can_reply_publicly(request.user)


class IsAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_admin(request.user)
