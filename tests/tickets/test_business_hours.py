from datetime import UTC, date, datetime, time

import pytest

from tickets.models import BusinessCalendar, BusinessHours, Holiday
from tickets.rules.business_hours import is_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def copenhagen():
    calendar = BusinessCalendar.objects.create(name="Copenhagen office", time_zone="Europe/Copenhagen")
    for weekday in range(5):
        BusinessHours.objects.create(calendar=calendar, weekday=weekday, opens=time(9), closes=time(17))
    Holiday.objects.create(calendar=calendar, date=date(2026, 12, 24), name="Christmas Eve")
    return calendar


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 11, 25, 8, 0, tzinfo=UTC), True),  # 09:00 in Copenhagen, a Wednesday
        (datetime(2026, 11, 25, 7, 59, tzinfo=UTC), False),  # 08:59 local
        (datetime(2026, 11, 25, 16, 0, tzinfo=UTC), False),  # 17:00 local: closed
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 12, 24, 10, 0, tzinfo=UTC), False),  # a holiday on a Thursday
        (datetime(2026, 7, 1, 7, 30, tzinfo=UTC), True),  # 09:30 in summer time
    ],
)
def test_open_in_the_calendars_own_time_zone(copenhagen, at, expected):
    assert is_open(copenhagen, at) is expected
