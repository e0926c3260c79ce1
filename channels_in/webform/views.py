import logging

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from channels_in.webform.inbound import ContactForm, to_inbound
from tickets.services import IngestError, ingest

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def contact(request):
    """Public "contact us" page: anyone can open a ticket, no account needed."""
    if request.method == "POST":
        form = ContactForm(request.POST, request.FILES)
        if _over_rate_limit(request):
            form.add_error(None, "Too many messages from your network in the last hour; please try again later.")
            return render(request, "webform/contact.html", {"form": form}, status=429)
        if form.is_valid():
            if form.is_spam():
                logger.info("webform: honeypot filled, submission dropped")
                return redirect("webform:thanks")
            try:
                result = ingest(to_inbound(form))
            except IngestError:
                # Kept raw for an admin; the customer still gets an honest answer.
                messages.warning(request, "We received your message and will look into it.")
                return redirect("webform:thanks")
            request.session["webform_ticket"] = result.ticket.number
            refused = [a for a in result.message.attachments.all() if a.refused_reason]
            for attachment in refused:
                messages.warning(request, f"{attachment.filename}: {attachment.refused_reason}")
            return redirect("webform:thanks")
    else:
        form = ContactForm()
    return render(request, "webform/contact.html", {"form": form}, status=400 if form.errors else 200)


def thanks(request):
    return render(request, "webform/thanks.html", {"number": request.session.get("webform_ticket")})


def _over_rate_limit(request) -> bool:
    """Per-IP hourly budget; REMOTE_ADDR is the proxy's view of the client (set by the proxy)."""
    key = f"webform:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key) > settings.WEBFORM_MAX_PER_HOUR
