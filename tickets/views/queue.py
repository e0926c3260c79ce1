from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import render

from helpdesk.decorators import staff_required
from helpdesk.pagination import Page, page_number
from tickets.filters import SORTS, TicketFilter
from tickets.selectors import queue_list

PAGE_SIZE = 25


def _filter_options(filterset: TicketFilter, params) -> dict:
    fields = filterset.form.fields
    names = ["status", "channel", "priority", "team", "assignee", "sort"]
    return {
        "choices": {
            name: [(str(v), label) for v, label in fields[name].choices] for name in ("status", "channel", "priority")
        }
        | {"sort": [("", "Recently updated"), *((k, k.title()) for k in SORTS if k != "updated")]},
        "selected": {name: params.getlist(name) for name in names},
        "teams": fields["team"].queryset,
        "agents": fields["assignee"].queryset.order_by("first_name", "username"),
    }


@staff_required
def queue(request):
    """The ticket queue: any open ticket the agent may see, newest activity first, filterable."""
    params = request.GET.copy()
    if "status" not in params:
        params.setlist("status", ["open_any"])
    filterset = TicketFilter(params, queryset=queue_list(request.user), request=request)
    if not filterset.is_valid():
        # Unknown values in the address bar: show the form errors, not a 500.
        context = {"filter": filterset, "page": None, **_filter_options(filterset, params)}
        return render(request, "tickets/queue.html", context, status=400)
    try:
        page = Page(filterset.qs, page_number(request.GET.get("page")), PAGE_SIZE)
    except InvalidPage as exc:
        raise Http404(str(exc)) from exc
    query = params.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode(), **_filter_options(filterset, params)}
    template = (
        "tickets/_queue_rows.html" if request.htmx and request.htmx.target == "queue-rows" else "tickets/queue.html"
    )
    return render(request, template, context)
