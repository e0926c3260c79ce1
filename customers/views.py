from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from customers.selectors import customer_list, customers_with_identities
from helpdesk.decorators import staff_required
from helpdesk.pagination import Page, page_number
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


@staff_required
def customer_detail(request, customer_id: int):
    """The unified profile: every identity and every ticket on every channel the agent may see."""
    customer = get_object_or_404(customers_with_identities(), pk=customer_id)
    tickets = _page(request, customer_tickets_for(request.user, customer))
    return render(request, "customers/detail.html", {"customer": customer, "tickets": tickets})
