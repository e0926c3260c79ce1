from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from helpdesk.roles import is_staff_member


def staff_required(view):
    """Agent UI views: anonymous users go to the login page, customers get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied("The agent workspace is for helpdesk staff.")
        return view(request, *args, **kwargs)

    return wrapper
