"""The date range and filters every report takes, and how each table applies them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify


@dataclass(frozen=True)
class ReportFilters:
    """Days `start`..`end` inclusive, in the helpdesk's TIME_ZONE, and optional filters (ids; tag by name).

    `agent` means the assignee for ticket figures and the author for replies.
    """

    start: date
    end: date
    channel: str | None = None
    team: int | None = None
    agent: int | None = None
    priority: int | None = None
    tag: str | None = None
    organization: int | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The range as aware datetimes [from, to): local midnight of `start` to that after `end`."""
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time(0), tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=zone),
        )

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def needs_tickets(self) -> bool:
        """Tag and organization are not roll-up columns: those reports are computed from the tickets."""
        return bool(self.tag or self.organization)

    def tickets_q(self, metrics: str = "") -> Q:
        """The filters except `agent`, for rows with a `ticket` (metrics, events, messages, surveys) whose
        TicketMetrics is at the path `metrics`."""
        q = Q()
        if self.channel:
            q &= Q(**{f"{metrics}channel": self.channel})
        if self.team:
            q &= Q(**{f"{metrics}team_id": self.team})
        if self.priority:
            q &= Q(**{f"{metrics}priority": self.priority})
        if self.tag:
            # Tags are stored slugified, as the queue's tag filter also assumes.
            q &= Q(ticket__tags__name=slugify(self.tag, allow_unicode=True))
        if self.organization:
            q &= Q(ticket__customer__organization_id=self.organization)
        return q

    def metrics_q(self) -> Q:
        """All filters on TicketMetrics, with `agent` as the assignee."""
        q = self.tickets_q()
        return q & Q(assignee_id=self.agent) if self.agent else q

    def rollup_q(self) -> Q:
        """All filters on the roll-ups (`agent` on DailyAgentRollup only; not valid when `needs_tickets`)."""
        q = Q(day__range=(self.start, self.end))
        for name in ("channel", "team", "agent", "priority"):
            value = getattr(self, name)
            if value:
                q &= Q(**{f"{name}_id" if name in ("team", "agent") else name: value})
        return q
