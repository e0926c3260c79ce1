"""{% phone_panel %}: the ticket page's phone panel, loaded by its own selector (constant queries)."""

from django import template

from channels_in.phone.forms import CallbackForm, LogCallForm
from channels_in.phone.selectors import phone_panel_for

register = template.Library()


@register.inclusion_tag("phone/panel.html", takes_context=True)
def phone_panel(context) -> dict:
    ticket = context["ticket"]
    panel = phone_panel_for(ticket)
    initial = {"number": panel.customer_number}
    return {
        "ticket": ticket,
        "panel": panel,
        "callback_form": CallbackForm(initial=initial, auto_id="id_callback_%s"),
        "log_form": LogCallForm(initial=initial, auto_id="id_logcall_%s"),
        "csrf_token": context.get("csrf_token"),
        "closed": bool(ticket.merged_into_id),
    }
