"""Queue filters, shared by the agent UI and GET /api/v1/tickets/ so both filter the same way."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import slugify

from tickets.models import Channel, Priority, Status, Team
from tickets.models.choices import OPEN_STATUSES

SORTS = {
    "updated": ("-updated_at", "-id"),
    "oldest": ("updated_at", "id"),
    "created": ("-created_at", "-id"),
    "priority": ("-priority", "-updated_at", "-id"),
}


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[("open_any", "Any open"), *Status.choices], method="filter_status"
    )
    # distinct=False: these never join, and DISTINCT over every column defeats the sort index.
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team")
    assignee = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.filter(role__in=["admin", "agent"]), empty_label="Anyone"
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label="Assigned to me")
    unassigned = django_filters.BooleanFilter(method="filter_unassigned", label="Unassigned")
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    customer = django_filters.NumberFilter(field_name="customer_id")
    q = django_filters.CharFilter(method="filter_text", label="Search")
    sort = django_filters.ChoiceFilter(
        choices=[(k, k.title()) for k in SORTS], method="filter_sort", empty_label="Recently updated"
    )

    def filter_status(self, queryset, name, value):
        statuses = set(value)
        if "open_any" in statuses:
            statuses.discard("open_any")
            statuses.update(OPEN_STATUSES)
        return queryset.filter(status__in=statuses) if statuses else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset

    def filter_unassigned(self, queryset, name, value):
        return queryset.filter(assignee__isnull=True) if value else queryset

    def filter_tag(self, queryset, name, value):
        # Tags are stored slugified ("VIP" -> "vip"), so the filter slugifies too. Tag names are
        # unique, so the join yields at most one row per ticket and needs no DISTINCT.
        return queryset.filter(tags__name=slugify(value, allow_unicode=True))

    def filter_text(self, queryset, name, value):
        value = value.strip().removeprefix("#")
        if value.isdigit():
            return queryset.filter(Q(pk=int(value)) | Q(subject__icontains=value))
        return queryset.filter(subject__icontains=value)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["updated"]))

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("sort"):
            qs = qs.order_by(*SORTS["updated"])
        return qs
