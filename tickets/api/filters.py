import django_filters

from tickets.api.serializers import PRIORITY_BY_NAME
from tickets.filters import TicketFilter


class TicketApiFilter(TicketFilter):
    """The queue's filters, except that priority is given by name as everywhere else in the API."""

    priority = django_filters.MultipleChoiceFilter(
        choices=[(name, name) for name in PRIORITY_BY_NAME], method="filter_priority"
    )

    def filter_priority(self, queryset, name, value: list[str]):
        return queryset.filter(priority__in=[PRIORITY_BY_NAME[v] for v in value])
