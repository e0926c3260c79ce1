"""The reports' query parameters (validated) and the shapes they return (for the OpenAPI description)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from analytics.filters import ReportFilters
from customers.models import Organization
from helpdesk.api import StrictInputSerializer
from helpdesk.roles import Role
from tickets.api.serializers import PriorityField
from tickets.models import Channel, Tag, Team

DEFAULT_DAYS = 30
# About as far back as `manage.py rebuild_analytics` keeps history by default.
MAX_DAYS = 400


class ReportQuerySerializer(StrictInputSerializer):
    start = serializers.DateField(
        required=False,
        help_text=f"First day (YYYY-MM-DD) in the helpdesk's time zone; default {DEFAULT_DAYS - 1} days before end.",
    )
    end = serializers.DateField(required=False, help_text="Last day, included; default today.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, help_text="Team id.")
    agent = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(role__in=[Role.ADMIN, Role.AGENT]),
        required=False,
        help_text="Agent id: their tickets (assignee) and the replies they wrote.",
    )
    priority = PriorityField(required=False)
    tag = serializers.CharField(required=False, max_length=50, help_text="Tag name.")
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, help_text="Organization id."
    )
    table = serializers.CharField(
        required=False, max_length=50, help_text="CSV only: which of the report's tables (default: the first)."
    )

    def validate_tag(self, value: str) -> str:
        name = slugify(value, allow_unicode=True)
        if not Tag.objects.filter(name=name).exists():
            raise serializers.ValidationError(f"There is no tag {value!r}.")
        return name

    def validate(self, data: dict) -> dict:
        end = data.get("end") or timezone.localdate(timezone=timezone.get_default_timezone())
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"start": ["The start must not be after the end."]})
        if (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError({"start": [f"A report covers at most {MAX_DAYS} days."]})
        return data | {"start": start, "end": end}

    def filters(self) -> ReportFilters:
        data = self.validated_data
        ids = {name: data[name].pk for name in ("team", "agent", "organization") if data.get(name)}
        return ReportFilters(
            start=data["start"],
            end=data["end"],
            channel=data.get("channel"),
            priority=data.get("priority"),
            tag=data.get("tag"),
            **ids,
        )


# ---- what the reports return (see analytics/reports.py) ------------------------------------------


class _RangeSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class VolumeOutputSerializer(_RangeSerializer):
    class VolumeTotals(serializers.Serializer):
        created = serializers.IntegerField()
        solved = serializers.IntegerField()
        backlog = serializers.IntegerField(help_text="Open at the end of the last day.")

    class VolumeDay(serializers.Serializer):
        day = serializers.DateField()
        created = serializers.IntegerField()
        solved = serializers.IntegerField()
        reopened = serializers.IntegerField()
        backlog = serializers.IntegerField(help_text="Open at the end of the day.")

    class VolumeChannel(serializers.Serializer):
        channel = serializers.ChoiceField(choices=Channel.choices)
        label = serializers.CharField()
        created = serializers.IntegerField()
        share = serializers.FloatField(allow_null=True)

    class VolumeHeatCell(serializers.Serializer):
        weekday = serializers.IntegerField(help_text="1 = Monday ... 7 = Sunday.")
        hour = serializers.IntegerField(help_text="0-23, in the helpdesk's time zone.")
        created = serializers.IntegerField()

    totals = VolumeTotals()
    daily = VolumeDay(many=True)
    channels = VolumeChannel(many=True)
    heatmap = VolumeHeatCell(many=True)


class SpeedOutputSerializer(_RangeSerializer):
    class SpeedMetric(serializers.Serializer):
        metric = serializers.ChoiceField(choices=["first_response", "next_response", "resolution", "full_resolution"])
        count = serializers.IntegerField()
        median_seconds = serializers.FloatField(allow_null=True)
        p90_seconds = serializers.FloatField(allow_null=True)
        business_median_seconds = serializers.FloatField(allow_null=True)
        business_p90_seconds = serializers.FloatField(allow_null=True)
        sampled = serializers.BooleanField(help_text="Percentiles of every 4th ticket, for large ranges.")

    metrics = SpeedMetric(many=True)


class QualityOutputSerializer(_RangeSerializer):
    class QualitySla(serializers.Serializer):
        target = serializers.ChoiceField(choices=["first_response", "next_response", "resolution"])
        met = serializers.IntegerField()
        breached = serializers.IntegerField()
        compliance = serializers.FloatField(allow_null=True)

    class QualityResolution(serializers.Serializer):
        solved = serializers.IntegerField()
        first_contact = serializers.IntegerField()
        first_contact_rate = serializers.FloatField(allow_null=True)
        reopened = serializers.IntegerField()
        reopen_rate = serializers.FloatField(allow_null=True)
        reopens = serializers.IntegerField()

    class QualityCsat(serializers.Serializer):
        sent = serializers.IntegerField()
        answered = serializers.IntegerField()
        good = serializers.IntegerField()
        satisfaction = serializers.FloatField(allow_null=True)
        average = serializers.FloatField(allow_null=True)
        response_rate = serializers.FloatField(allow_null=True)

    class QualityNps(serializers.Serializer):
        class NpsComment(serializers.Serializer):
            score = serializers.IntegerField()
            comment = serializers.CharField()
            answered_at = serializers.DateTimeField()
            customer = serializers.CharField()
            campaign = serializers.CharField()

        answered = serializers.IntegerField()
        promoters = serializers.IntegerField()
        passives = serializers.IntegerField()
        detractors = serializers.IntegerField()
        score = serializers.IntegerField(allow_null=True, help_text="% promoters - % detractors.")
        comments = NpsComment(many=True)

    sla = QualitySla(many=True)
    resolution = QualityResolution()
    csat = QualityCsat()
    nps = QualityNps()


class AgentsOutputSerializer(_RangeSerializer):
    class AgentReportRow(serializers.Serializer):
        agent = serializers.IntegerField()
        name = serializers.CharField()
        solved = serializers.IntegerField()
        replies = serializers.IntegerField()
        first_response_median_seconds = serializers.FloatField(allow_null=True)
        csat_answered = serializers.IntegerField()
        csat_good = serializers.IntegerField()
        csat_satisfaction = serializers.FloatField(allow_null=True)
        open = serializers.IntegerField(help_text="Open tickets now, whatever the range.")

    sampled = serializers.BooleanField(help_text="Medians of every 4th ticket, for large ranges.")
    agents = AgentReportRow(many=True)


class SelfServiceOutputSerializer(_RangeSerializer):
    available = serializers.BooleanField(help_text="False until the knowledge base records these.")
    article_views = serializers.IntegerField(allow_null=True)
    searches_without_result = serializers.IntegerField(allow_null=True)
    deflected_tickets = serializers.IntegerField(allow_null=True)
