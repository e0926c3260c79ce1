"""An agent starts a conversation with a customer (SMS, WhatsApp, e-mail, social): a new ticket."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from customers.selectors import customers_with_identities
from helpdesk.decorators import staff_required
from tickets import services
from tickets.forms import OutreachForm, outreach_channels


@staff_required
@require_POST
def start(request, customer_id: int):
    customer = get_object_or_404(customers_with_identities(), pk=customer_id)
    form = OutreachForm(request.POST, prefix="outreach", channels=outreach_channels(customer))
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = services.start_conversation(
                customer=customer,
                channel=data["channel"],
                text=data["text"],
                subject=data["subject"],
                by=request.user,
                meta={"whatsapp_template": data["whatsapp_template"]} if data["whatsapp_template"] else None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("tickets:detail", number=message.ticket_id)
    else:
        messages.error(request, " ".join(f"{f}: {e}" for f, errs in form.errors.items() for e in errs))
    return redirect("customers:detail", customer_id=customer.pk)
