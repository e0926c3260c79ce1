"""Agent actions of the ticket page's phone panel: request a call-back, mark it done, log a call.

Each acts on a ticket the agent may see (else 404, as on the ticket page); a form with errors is
shown again on a small page of its own, since the ticket page belongs to tickets.views.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from channels_in.phone import services
from channels_in.phone.forms import CallbackForm, LogCallForm
from channels_in.phone.models import CallbackRequest
from helpdesk.decorators import staff_required
from tickets.selectors import ticket_get_for


@staff_required
@require_POST
def request_callback(request, number: int):
    ticket = ticket_get_for(request.user, number)
    form = CallbackForm(request.POST)
    if not form.is_valid():
        return _retry(request, ticket, form, "Request a call-back")
    data = form.cleaned_data
    services.request_callback(
        ticket=ticket, by=request.user, number=data["number"], note=data["note"], due_at=data["due_at"]
    )
    messages.success(request, f"Call-back to {data['number']} requested.")
    return redirect("tickets:detail", number=ticket.pk)


@staff_required
@require_POST
def callback_done(request, callback_id: int):
    callback = get_object_or_404(CallbackRequest, pk=callback_id)
    ticket = ticket_get_for(request.user, callback.ticket_id)
    services.complete_callback(callback=callback, by=request.user)
    return redirect("tickets:detail", number=ticket.pk)


@staff_required
@require_POST
def log_call(request, number: int):
    ticket = ticket_get_for(request.user, number)
    form = LogCallForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.log_outbound_call(
                ticket=ticket,
                by=request.user,
                number=data["number"],
                status=data["status"],
                duration=(data["minutes"] or 0) * 60,
                notes=data["notes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "The call was logged as an internal note.")
            return redirect("tickets:detail", number=ticket.pk)
    return _retry(request, ticket, form, "Log a call")


def _retry(request, ticket, form, title: str):
    context = {"ticket": ticket, "form": form, "title": title, "action": request.path}
    return render(request, "phone/form_errors.html", context, status=400)
