from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from helpdesk.decorators import staff_required


@staff_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The agent's profile: their teams and their API token (created or regenerated here)."""
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        if token:
            token.delete()
        token = Token.objects.create(user=request.user)
        messages.success(request, "A new API token was created; the previous one no longer works.")
        return redirect("profile")
    return render(request, "profile.html", {"token": token, "teams": request.user.teams.all()})
