"""The presence switch in the top bar (templates/tickets/_presence.html)."""

from django import forms
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from helpdesk.decorators import staff_required
from tickets.models import Presence
from tickets.services import assign


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(choices=Presence.choices)


@staff_required
@require_POST
def presence(request):
    """Set the agent's presence; htmx gets the switch back, a plain form post goes back to its page."""
    form = PresenceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose online, away or offline.")
    assign.set_presence(request.user, form.cleaned_data["presence"])
    if request.htmx:
        return render(request, "tickets/_presence.html")
    back = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if safe else "tickets:queue")
