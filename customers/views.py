from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from customers.models import IdentityKind
from customers.selectors import customer_list, customers_with_identities
from customers.services import add_identity, merge_customers
from helpdesk.decorators import staff_required
from helpdesk.pagination import Page, page_number
from helpdesk.roles import can_reply_publicly
from tickets.forms import OutreachForm, outreach_channels
from tickets.selectors import customer_tickets_for

PAGE_SIZE = 25


def _page(request, queryset) -> Page:
    try:
        return Page(queryset, page_number(request.GET.get("page")), PAGE_SIZE)
    except InvalidPage as exc:
        raise Http404(str(exc)) from exc


@staff_required
def customer_index(request):
    query = request.GET.get("q", "").replace("\x00", "")[:200]
    return render(request, "customers/list.html", {"page": _page(request, customer_list(query)), "q": query})


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(choices=IdentityKind.choices)
    address = forms.CharField(max_length=320)


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, max_value=2**62, label="Merge this customer into customer #")


@staff_required
def customer_detail(request, customer_id: int, *, identity_form=None, merge_form=None, status=200):
    """The unified profile: every identity and every ticket on every channel the agent may see."""
    customer = get_object_or_404(customers_with_identities(), pk=customer_id)
    context = {
        "customer": customer,
        "tickets": _page(request, customer_tickets_for(request.user, customer)),
        "can_change": can_reply_publicly(request.user) and not customer.merged_into_id,
        "identity_form": identity_form or IdentityForm(),
        "merge_form": merge_form or MergeForm(),
        "outreach_form": OutreachForm(prefix="outreach", channels=outreach_channels(customer)),
    }
    return render(request, "customers/detail.html", context, status=status)


def _changing(request, customer_id: int):
    if not can_reply_publicly(request.user):
        raise PermissionDenied("Light agents cannot change customers.")
    return get_object_or_404(customers_with_identities(), pk=customer_id)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    form.add_error(None, exc.messages)


@staff_required
@require_POST
def identity_add(request, customer_id: int):
    """Link another address (e.g. the phone they now text from) to this customer."""
    customer = _changing(request, customer_id)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            add_identity(customer=customer, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("customers:detail", customer_id=customer.pk)
    return customer_detail(request, customer_id, identity_form=form, status=400)


@staff_required
@require_POST
def merge(request, customer_id: int):
    """Two profiles that are one person: move identities and tickets onto the other (audited)."""
    customer = _changing(request, customer_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        target = customers_with_identities().filter(pk=form.cleaned_data["into"]).first()
        try:
            if target is None:
                raise ValidationError(f"There is no customer #{form.cleaned_data['into']}.")
            merge_customers(source=customer, target=target, by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("customers:detail", customer_id=target.pk)
    return customer_detail(request, customer_id, merge_form=form, status=400)
