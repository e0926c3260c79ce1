"""Pagination without COUNT(*): fetch one row more than a page to know whether a next page exists.

An exact count over a million-row ticket table costs more than the page itself.
"""

from collections import OrderedDict

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class Page:
    """One page of a queryset and whether neighbours exist; also used by the HTML views."""

    def __init__(self, queryset, number: int, size: int):
        if number < 1:
            raise InvalidPage("page must be 1 or more")
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.number = number
        self.size = size
        self.has_next = len(rows) > size
        self.has_previous = number > 1
        self.object_list = rows[:size]

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError as exc:
        raise InvalidPage("page must be a number") from exc
    if number < 1 or number > 10_000:
        raise InvalidPage("page must be between 1 and 10000")
    return number


class NumberedPagination(BasePagination):
    page_size = 25
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        try:
            number = page_number(request.query_params.get("page"))
            size = int(request.query_params.get("page_size") or self.page_size)
        except (InvalidPage, ValueError) as exc:
            raise NotFound(str(exc)) from exc
        size = max(1, min(size, self.max_page_size))
        self.request = request
        self.page = Page(queryset, number, size)
        return self.page.object_list

    def _link(self, number: int | None) -> str | None:
        if number is None:
            return None
        url = self.request.build_absolute_uri()
        return remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            OrderedDict(
                [
                    ("next", self._link(page.number + 1 if page.has_next else None)),
                    ("previous", self._link(page.number - 1 if page.has_previous else None)),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
