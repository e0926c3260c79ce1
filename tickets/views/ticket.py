from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from channels_in.registry import reply_channel
from helpdesk.decorators import staff_required
from helpdesk.roles import can_reply_publicly
from tickets import services
from tickets.forms import MergeForm, ReplyForm, TicketPropertiesForm
from tickets.models import Attachment, Channel, Macro
from tickets.selectors import customer_tickets_for, ticket_get_for, timeline_for


def _page(request, ticket, *, reply_form=None, properties_form=None, merge_form=None, status=200):
    properties_form = properties_form or TicketPropertiesForm(
        initial={
            "status": ticket.status,
            "priority": ticket.priority,
            "team": ticket.team_id,
            "assignee": ticket.assignee_id,
            "tags": ", ".join(t.name for t in ticket.tags.all()),
        }
    )
    context = {
        "ticket": ticket,
        "timeline": timeline_for(ticket),
        "reply_form": reply_form or ReplyForm(initial={"internal": not can_reply_publicly(request.user)}),
        "properties_form": properties_form,
        "merge_form": merge_form or MergeForm(),
        "macros": Macro.objects.filter(active=True),
        "other_tickets": customer_tickets_for(request.user, ticket.customer).exclude(pk=ticket.pk)[:5],
        "can_change": can_reply_publicly(request.user),
        # A web-form ticket is answered by e-mail, a phone ticket by SMS: say so on the button.
        "reply_channel": Channel(reply_channel(ticket.channel)).label,
    }
    return render(request, "tickets/ticket.html", context, status=status)


def _form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required
@require_GET
def detail(request, number: int):
    return _page(request, ticket_get_for(request.user, number))


@staff_required
@require_POST
def reply(request, number: int):
    ticket = ticket_get_for(request.user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reply(
                ticket=ticket,
                author=request.user,
                text=data["text"],
                internal=data["internal"],
                status=data["status"] or None,
                attachments=data["attachments"],
                meta={"whatsapp_template": data["whatsapp_template"]} if data["whatsapp_template"] else None,
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            return redirect("tickets:detail", number=ticket.number)
    return _page(request, ticket, reply_form=form, status=400)


@staff_required
@require_POST
def update(request, number: int):
    ticket = ticket_get_for(request.user, number)
    if not can_reply_publicly(request.user):
        raise PermissionDenied("Light agents cannot change tickets.")
    form = TicketPropertiesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_ticket(
                ticket=ticket,
                by=request.user,
                status=data["status"],
                priority=data["priority"],
                team=data["team"],
                assignee=data["assignee"],
                tags=data["tags"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            return redirect("tickets:detail", number=ticket.number)
    return _page(request, ticket, properties_form=form, status=400)


@staff_required
@require_POST
def merge(request, number: int):
    ticket = ticket_get_for(request.user, number)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            target = ticket_get_for(request.user, form.cleaned_data["into"])
        except Http404:
            form.add_error("into", f"There is no ticket #{form.cleaned_data['into']} you can see.")
        else:
            try:
                services.merge_tickets(source=ticket, target=target, by=request.user)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                return redirect("tickets:detail", number=target.number)
    return _page(request, ticket, merge_form=form, status=400)


@staff_required
@require_GET
def macro(request, number: int, macro_id: int):
    """The macro's text for this ticket, inserted at the cursor in the reply box by static/js/app.js."""
    ticket = ticket_get_for(request.user, number)
    macro = get_object_or_404(Macro, pk=macro_id, active=True)
    text = services.render_macro(macro=macro, ticket=ticket, agent=request.user)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@staff_required
@require_GET
def attachment(request, number: int, attachment_id: int):
    """Files are served only to people who may see the ticket, never from a public URL."""
    ticket = ticket_get_for(request.user, number)
    item = get_object_or_404(Attachment.objects.exclude(file=""), pk=attachment_id, message__ticket=ticket)
    # Shown in the page only for raster images (an SVG can carry script); everything else downloads.
    inline = request.GET.get("inline") == "1" and item.content_type in _INLINE_IMAGE_TYPES
    return FileResponse(
        item.file.open("rb"), as_attachment=not inline, filename=item.filename, content_type=item.content_type
    )


_INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
