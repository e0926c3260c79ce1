"""Business-time arithmetic for SLA clocks: known answers, DST nights, and properties over random calendars.

Calendars are unsaved model instances whose `hours` and `holidays` sit in the prefetch cache, exactly as
callers hand them over after `prefetch_related`; no test here touches the database (pytest-django would
fail any query), which keeps the property tests fast.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.models import BusinessCalendar, BusinessHours, Holiday
from tickets.rules.business_hours import (
    END_OF_DAY,
    add_business_time,
    business_time_between,
    is_open,
    next_opening,
)

CPH = ZoneInfo("Europe/Copenhagen")
NYC = ZoneInfo("America/New_York")
ZONES = ["UTC", "Europe/Copenhagen", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
MICRO = timedelta(microseconds=1)
H = timedelta(hours=1)


def make_calendar(
    zone: str,
    hours: list[tuple[int, time, time]],
    holidays: Sequence[date] = (),
    name: str = "Test",
) -> BusinessCalendar:
    calendar = BusinessCalendar(pk=1, name=name, time_zone=zone)
    calendar._prefetched_objects_cache = {
        "hours": [BusinessHours(weekday=weekday, opens=opens, closes=closes) for weekday, opens, closes in hours],
        "holidays": [Holiday(date=day) for day in holidays],
    }
    return calendar


def office(zone: str = "Europe/Copenhagen", holidays: Sequence[date] = ()) -> BusinessCalendar:
    return make_calendar(zone, [(weekday, time(9), time(17)) for weekday in range(5)], holidays)


def every_night(zone: ZoneInfo) -> BusinessCalendar:
    return make_calendar(zone.key, [(weekday, time(0), time(6)) for weekday in range(7)])


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    """A local wall-clock time as a UTC instant (aware datetimes in one zone subtract as wall-clock times, and
    ones with fold=1 never compare equal across zones, so the tests compare UTC instants)."""
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)


def local_day(zone: ZoneInfo, day: date, at: time = time(0)) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


# Known answers


def test_friday_afternoon_ticket_is_due_monday_noon():
    friday_4pm = local(CPH, 2026, 11, 20, 16)

    due = add_business_time(office(), friday_4pm, 4 * H)

    assert due == local(CPH, 2026, 11, 23, 12)
    assert due.tzinfo is UTC


def test_holiday_in_between_pushes_it_a_day():
    due = add_business_time(office(holidays=[date(2026, 11, 23)]), local(CPH, 2026, 11, 20, 16), 4 * H)

    assert due == local(CPH, 2026, 11, 24, 12)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (local(CPH, 2026, 11, 21, 10), local(CPH, 2026, 11, 23, 11)),  # Saturday: counts from Monday 09:00
        (local(CPH, 2026, 11, 23, 7), local(CPH, 2026, 11, 23, 11)),  # before opening
        (local(CPH, 2026, 11, 23, 17), local(CPH, 2026, 11, 24, 11)),  # closing time is closed
    ],
)
def test_start_outside_hours_counts_from_the_next_opening(start, expected):
    assert add_business_time(office(), start, 2 * H) == expected


def test_split_day_skips_the_lunch_break():
    calendar = make_calendar(
        "Europe/Copenhagen", [(w, time(8), time(12)) for w in range(5)] + [(w, time(13), time(17)) for w in range(5)]
    )
    monday_11 = local(CPH, 2026, 11, 23, 11)

    assert add_business_time(calendar, monday_11, 2 * H) == local(CPH, 2026, 11, 23, 14)
    assert add_business_time(calendar, monday_11, H) == local(CPH, 2026, 11, 23, 12)  # by the break, not after
    assert business_time_between(calendar, monday_11, local(CPH, 2026, 11, 23, 14)) == 2 * H


def test_touching_and_overlapping_intervals_are_merged():
    calendar = make_calendar(
        "UTC", [(0, time(9), time(12)), (0, time(12), time(14)), (0, time(10), time(11)), (0, time(13), time(17))]
    )
    monday = datetime(2026, 1, 5, tzinfo=UTC)

    assert business_time_between(calendar, monday, monday + timedelta(days=1)) == 8 * H
    assert add_business_time(calendar, monday, 8 * H) == monday + 17 * H


def test_no_calendar_means_around_the_clock():
    start = local(CPH, 2026, 3, 28, 23)  # across the spring-forward night: real hours count

    assert add_business_time(None, start, 30 * H) == start + 30 * H
    assert business_time_between(None, start, start + 30 * H) == 30 * H
    assert business_time_between(None, start + H, start) == timedelta(0)
    assert next_opening(None, start) == start


def test_zero_duration_is_now_if_open_else_the_next_opening():
    assert add_business_time(office(), local(CPH, 2026, 11, 23, 10), timedelta(0)) == local(CPH, 2026, 11, 23, 10)
    assert add_business_time(office(), local(CPH, 2026, 11, 21, 10), timedelta(0)) == local(CPH, 2026, 11, 23, 9)
    assert next_opening(office(), local(CPH, 2026, 11, 23, 10)) == local(CPH, 2026, 11, 23, 10)
    assert next_opening(office(), local(CPH, 2026, 11, 20, 17)) == local(CPH, 2026, 11, 23, 9)


def test_thirty_business_days_is_six_weeks_in_a_five_day_week():
    monday_9 = local(CPH, 2026, 1, 5, 9)
    calendar = office(holidays=[date(2031, 1, 1)])  # far away: costs nothing

    due = add_business_time(calendar, monday_9, 30 * 8 * H)

    assert due == local(CPH, 2026, 2, 13, 17)  # Friday closing time of the sixth week
    assert business_time_between(calendar, monday_9, due) == 30 * 8 * H


def test_hours_until_23_59_59_999999_run_until_midnight():
    calendar = make_calendar("Europe/Copenhagen", [(0, time(22), END_OF_DAY), (1, time(0), time(2))])
    monday_22 = local(CPH, 2026, 1, 5, 22)

    assert add_business_time(calendar, monday_22, 4 * H) == local(CPH, 2026, 1, 6, 2)
    assert business_time_between(calendar, monday_22, local(CPH, 2026, 1, 6)) == 2 * H
    assert is_open(calendar, local(CPH, 2026, 1, 6) - MICRO)


@pytest.mark.parametrize("function", [add_business_time, business_time_between])
def test_calendar_without_hours_raises(function):
    calendar = make_calendar("UTC", [], name="Empty")
    start = datetime(2026, 1, 5, tzinfo=UTC)

    with pytest.raises(ValueError, match="calendar Empty has no business hours"):
        function(calendar, start, start + H if function is business_time_between else H)


def test_calendar_without_hours_never_opens():
    with pytest.raises(ValueError, match="has no business hours"):
        next_opening(make_calendar("UTC", []), datetime(2026, 1, 5, tzinfo=UTC))


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(office(), datetime(2026, 1, 5, 9), H)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add_business_time(office(), local(CPH, 2026, 1, 5, 9), -H)


# DST: a night shift 00:00-06:00 every day


@pytest.mark.parametrize(
    ("zone", "night", "real_hours"),
    [
        (CPH, date(2026, 3, 29), 5),  # 02:00 -> 03:00
        (CPH, date(2026, 10, 25), 7),  # 03:00 -> 02:00
        (NYC, date(2026, 3, 8), 5),  # 02:00 -> 03:00
        (NYC, date(2026, 11, 1), 7),  # 02:00 -> 01:00
    ],
)
def test_night_shift_on_a_dst_night_lasts_the_real_hours(zone, night, real_hours):
    calendar = every_night(zone)
    midnight, six = local_day(zone, night), local_day(zone, night, time(6))

    assert six - midnight == real_hours * H
    assert business_time_between(calendar, midnight, six) == real_hours * H
    assert add_business_time(calendar, midnight, real_hours * H) == six
    # One hour more carries over to the next night.
    assert add_business_time(calendar, midnight, (real_hours + 1) * H) == six + 18 * H + H
    week = (local_day(zone, night - timedelta(days=3)), local_day(zone, night + timedelta(days=4)))
    assert business_time_between(calendar, *week) == (42 - 6 + real_hours) * H


def test_opening_time_that_does_not_exist_opens_at_the_jump():
    # On 2026-03-29 Copenhagen's clocks jump from 02:00 to 03:00, so 02:30 never happens.
    calendar = make_calendar("Europe/Copenhagen", [(6, time(2, 30), time(4))])
    jump = datetime(2026, 3, 29, 1, tzinfo=UTC)

    assert next_opening(calendar, local(CPH, 2026, 3, 29)) == jump
    assert business_time_between(calendar, local(CPH, 2026, 3, 29), local(CPH, 2026, 3, 30)) == H
    assert is_open(calendar, jump) and not is_open(calendar, jump - MICRO)


def test_closing_time_that_exists_twice_counts_both_times():
    # On 2026-11-01 New York's clocks go back from 02:00 EDT to 01:00 EST, so 01:00-01:30 happens twice.
    calendar = make_calendar("America/New_York", [(6, time(0), time(1, 30))])
    first_half_past_one = local(NYC, 2026, 11, 1, 1, 30)
    second_one = local(NYC, 2026, 11, 1, 1, fold=1)

    assert business_time_between(calendar, local(NYC, 2026, 11, 1), local(NYC, 2026, 11, 2)) == 2 * H
    assert add_business_time(calendar, local(NYC, 2026, 11, 1), 90 * timedelta(minutes=1)) == first_half_past_one
    assert next_opening(calendar, first_half_past_one) == second_one
    assert add_business_time(calendar, local(NYC, 2026, 11, 1), 2 * H) == local(NYC, 2026, 11, 1, 1, 30, fold=1)


def test_opening_time_that_exists_twice_opens_the_first_time():
    calendar = make_calendar("America/New_York", [(6, time(1, 30), time(3))])

    assert next_opening(calendar, local(NYC, 2026, 11, 1)) == local(NYC, 2026, 11, 1, 1, 30)
    # Open 01:30-02:00 EDT; the clock then reads 01:00 EST, before opening, so closed again until 01:30 EST.
    assert business_time_between(calendar, local(NYC, 2026, 11, 1), local(NYC, 2026, 11, 2)) == 2 * H


# Properties over random calendars


def _offset_changes(zone: ZoneInfo) -> list[datetime]:
    """UTC instants (to the hour) where `zone` changes offset in 2024-2030, found without private zoneinfo API."""
    found = []
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    while moment.year < 2031:
        following = moment + H
        if moment.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            found.append(following)
        moment = following
    return found


ZONE_CHANGES = [(name, change) for name in ZONES for change in _offset_changes(ZoneInfo(name))]
DST_CHANGES = sorted({change for _, change in ZONE_CHANGES})

# Clock times that sit on DST edges in the zones above (02:00/03:00 in Europe and New York, 01:30/02:30 in
# Lord Howe, midnight, the end-of-day marker), mixed with arbitrary minutes.
EDGE_TIMES = [time(0), *(time(h, m) for h in (1, 2) for m in (0, 15, 30, 45)), time(3), time(6), time(9), time(17)]
clock_times = st.one_of(st.sampled_from(EDGE_TIMES), st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60)))


@st.composite
def intervals(draw: st.DrawFn) -> tuple[int, time, time]:
    opens = draw(clock_times)
    closes = draw(st.one_of(st.just(END_OF_DAY), clock_times).filter(lambda c: c > opens))
    return draw(st.integers(0, 6)), opens, closes


instants = st.one_of(
    st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(DST_CHANGES),
        st.integers(-3 * 24 * 60, 3 * 24 * 60),
    ),
)


@st.composite
def calendars(draw: st.DrawFn, near: datetime, zone: str | None = None) -> BusinessCalendar:
    """A random calendar whose holidays, and some hours on DST edges, fall on the local days around `near`."""
    zone = zone or draw(st.sampled_from(ZONES))
    hours = draw(st.lists(intervals(), min_size=1, max_size=6))
    near_day = near.astimezone(ZoneInfo(zone)).date()
    for day in draw(st.lists(st.integers(-1, 1).map(lambda n: near_day + timedelta(days=n)), max_size=3)):
        opens, closes = sorted(draw(st.lists(st.sampled_from([*EDGE_TIMES, END_OF_DAY]), min_size=2, max_size=2)))
        if opens < closes:
            hours.append((day.weekday(), opens, closes))
    holidays = draw(st.lists(st.integers(-3, 90).map(lambda n: near_day + timedelta(days=n)), max_size=10))
    return make_calendar(zone, hours, holidays)


# Up to 60 business days of 8 hours, in whole seconds or any microsecond.
durations = st.one_of(
    st.integers(0, 60 * 8 * 3600).map(lambda s: timedelta(seconds=s)),
    st.integers(0, 10**9).map(lambda us: timedelta(microseconds=us)),
)

fast = settings(max_examples=200, deadline=None)


@fast
@given(data=st.data(), start=instants, duration=durations)
def test_business_time_between_inverts_add_business_time(data, start, duration):
    calendar = data.draw(calendars(start))

    due = add_business_time(calendar, start, duration)

    assert business_time_between(calendar, start, due) == duration


@fast
@given(data=st.data(), start=instants, first=durations, second=durations)
def test_a_longer_duration_is_never_due_earlier(data, start, first, second):
    calendar = data.draw(calendars(start))
    shorter, longer = sorted([first, second])

    assert add_business_time(calendar, start, shorter) <= add_business_time(calendar, start, longer)


@fast
@given(data=st.data(), start=instants, duration=durations)
def test_due_time_is_open_or_the_end_of_an_interval(data, start, duration):
    calendar = data.draw(calendars(start))

    due = add_business_time(calendar, start, duration)

    assert due >= start
    assert is_open(calendar, due) or is_open(calendar, due - MICRO)
    if duration == timedelta(0):
        assert due == next_opening(calendar, start)
        assert is_open(calendar, due)
        assert business_time_between(calendar, start, due) == timedelta(0)


@fast
@given(data=st.data(), times=st.lists(instants, min_size=3, max_size=3))
def test_business_time_between_adds_up(data, times):
    a, b, c = sorted(times)
    calendar = data.draw(calendars(a))

    assert business_time_between(calendar, a, b) + business_time_between(calendar, b, c) == (
        business_time_between(calendar, a, c)
    )


@fast
@given(data=st.data(), start=instants, days=st.integers(8, 400))
def test_skipping_whole_weeks_matches_counting_day_by_day(data, start, days):
    # Spans under a week are always counted interval by interval, so this pins the week skipping to them.
    calendar = data.draw(calendars(start))
    end = start + timedelta(days=days)
    steps = [start + timedelta(days=3 * k) for k in range(days // 3 + 1)] + [end]

    pieces = [business_time_between(calendar, a, b) for a, b in zip(steps, steps[1:], strict=False)]

    assert business_time_between(calendar, start, end) == sum(pieces, timedelta(0))


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    zone_change=st.sampled_from(ZONE_CHANGES),
    offset=st.integers(-36 * 60, 12 * 60),
    minutes=st.integers(1, 36 * 60),
)
def test_business_time_agrees_with_is_open_minute_by_minute(data, zone_change, offset, minutes):
    # Hours are on whole minutes and every zone here is a whole number of minutes from UTC, so counting the
    # open minutes around a DST change with is_open must give exactly the business time.
    zone, change = zone_change
    start = change + timedelta(minutes=offset)
    calendar = data.draw(calendars(change, zone))
    open_minutes = sum(is_open(calendar, start + timedelta(minutes=m)) for m in range(minutes))

    assert business_time_between(calendar, start, start + timedelta(minutes=minutes)) == timedelta(minutes=open_minutes)
