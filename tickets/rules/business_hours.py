"""Business-hours questions answered in the calendar's own time zone (pure: no queries of its own)."""

from datetime import datetime

from tickets.models import BusinessCalendar


def is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether `at` (timezone-aware) falls in the calendar's weekly hours and is not a holiday.

    Reads `calendar.hours` and `calendar.holidays`; prefetch them when asking for many calendars.
    """
    local = at.astimezone(calendar.zone)
    if any(holiday.date == local.date() for holiday in calendar.holidays.all()):
        return False
    now = local.time().replace(tzinfo=None)
    return any(h.weekday == local.weekday() and h.opens <= now < h.closes for h in calendar.hours.all())
