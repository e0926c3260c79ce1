"""Plumbing shared by every API: service errors as 4xx, strict input, documented errors and pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Services raise Django's ValidationError; DRF would answer it with a 500, we answer 400 with its reason.

    Django's PermissionDenied and Http404 already become 403/404 with their message in DRF.
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)


class StrictInputSerializer(serializers.Serializer):
    """Rejects fields it does not declare, so a typo ("stauts") is a 400 and not a silent no-op."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class DetailErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Invalid input: {"field": ["reason", ...]} per field, or {"detail": "reason"}.',
)
_DENIED = OpenApiResponse(DetailErrorSerializer, description="Not signed in (401) or not allowed (403).")
_NOT_FOUND = OpenApiResponse(DetailErrorSerializer, description="No such object, or you may not see it.")

READ_ERRORS = {401: _DENIED, 403: _DENIED, 404: _NOT_FOUND}
INPUT_ERRORS = {400: _FIELD_ERRORS, **READ_ERRORS}

# NumberedPagination does not describe its query parameters itself.
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1 to 10000 (a page past the end is empty)."),
    OpenApiParameter("page_size", int, description="Rows per page, 1 to 100 (default 25)."),
]
