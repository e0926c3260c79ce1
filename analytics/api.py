"""GET /api/v1/reports/<report>/: the dashboard's numbers over REST, as JSON or as CSV (one table each).

CSV: `?format=csv` or `Accept: text/csv`, with `table=` naming one of the report's tables
(analytics.reports.tables); errors stay JSON so their reason can be read.
"""

from collections.abc import Callable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from analytics import reports, serializers
from analytics.filters import ReportFilters
from helpdesk.api import INPUT_ERRORS
from helpdesk.roles import Role, role_of


class CanReadReports(BasePermission):
    """Admins and agents: light agents and customers do not see the team's numbers."""

    message = "Reports are for admins and agents."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in (Role.ADMIN, Role.AGENT)


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return reports.as_csv(data).encode()


_ERRORS = {code: response for code, response in INPUT_ERRORS.items() if code != 404}
_FORMAT = OpenApiParameter("format", str, enum=["json", "csv"], description="`csv`: one table as CSV (see `table`).")


class _ReportApi(APIView):
    permission_classes = [CanReadReports]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]
    name: str
    report: Callable[[ReportFilters], dict]

    def get(self, request):
        params = request.query_params.dict()
        params.pop(api_settings.URL_FORMAT_OVERRIDE, None)  # DRF's renderer choice, not a filter
        query = serializers.ReportQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        filters = query.filters()
        data = type(self).report(filters)
        if request.accepted_renderer.format != CsvRenderer.format:
            return Response(data)
        found = reports.tables(data)
        table = query.validated_data.get("table") or next(iter(found))
        if table not in found:
            raise ValidationError({"table": [f"Choose one of: {', '.join(found)}."]})
        filename = f"{self.name}-{table}-{filters.start}-{filters.end}.csv"
        return Response(found[table], headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    def finalize_response(self, request, response, *args, **kwargs):
        accepted = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and isinstance(accepted, CsvRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def _schema(summary: str, output, description: str = ""):
    return extend_schema(
        tags=["reports"],
        summary=summary,
        description=description,
        parameters=[serializers.ReportQuerySerializer, _FORMAT],
        responses={(200, "application/json"): output, (200, "text/csv"): OpenApiTypes.STR, **_ERRORS},
    )


@extend_schema_view(
    get=_schema(
        "Ticket volume",
        serializers.VolumeOutputSerializer,
        "Created, solved and backlog per day; created per channel and per weekday and hour. "
        "CSV tables: daily, channels, heatmap, summary.",
    )
)
class VolumeReportApi(_ReportApi):
    name = "volume"
    report = staticmethod(reports.volume)


@extend_schema_view(
    get=_schema(
        "Response and resolution times",
        serializers.SpeedOutputSerializer,
        "Median and 90th percentile in seconds, in calendar and business hours. CSV tables: metrics, summary.",
    )
)
class SpeedReportApi(_ReportApi):
    name = "speed"
    report = staticmethod(reports.speed)


@extend_schema_view(
    get=_schema(
        "SLA, first-contact resolution, reopens, CSAT and NPS",
        serializers.QualityOutputSerializer,
        "Rates are fractions from 0 to 1; NPS from -100 to 100. CSV tables: sla, nps_comments, summary.",
    )
)
class QualityReportApi(_ReportApi):
    name = "quality"
    report = staticmethod(reports.quality)


@extend_schema_view(
    get=_schema(
        "Agents",
        serializers.AgentsOutputSerializer,
        "Per agent: solved, replies, median first response, CSAT, and open tickets now. CSV tables: agents, summary.",
    )
)
class AgentsReportApi(_ReportApi):
    name = "agents"
    report = staticmethod(reports.agents)


@extend_schema_view(
    get=_schema(
        "Self-service",
        serializers.SelfServiceOutputSerializer,
        "Help-centre views, searches without result and deflected tickets: empty until the knowledge base "
        "records them.",
    )
)
class SelfServiceReportApi(_ReportApi):
    name = "self-service"
    report = staticmethod(reports.self_service)
