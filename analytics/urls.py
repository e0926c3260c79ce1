from django.urls import path

from analytics import api

app_name = "analytics-api"
urlpatterns = [
    path("reports/volume/", api.VolumeReportApi.as_view(), name="report-volume"),
    path("reports/speed/", api.SpeedReportApi.as_view(), name="report-speed"),
    path("reports/quality/", api.QualityReportApi.as_view(), name="report-quality"),
    path("reports/agents/", api.AgentsReportApi.as_view(), name="report-agents"),
    path("reports/self-service/", api.SelfServiceReportApi.as_view(), name="report-self-service"),
]
