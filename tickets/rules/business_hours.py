"""Business-hours questions answered in the calendar's own time zone (pure: no queries of its own).

Everything here reads only `calendar.zone`, `calendar.hours.all()` and `calendar.holidays.all()`; prefetch
`hours` and `holidays` when asking about many calendars. SLA clocks use `add_business_time` (when is a target
due) and `business_time_between` (how much of it is used up); they are exact inverses of each other.

What counts as business time: an instant is business time exactly when `is_open` says so, i.e. when its
local wall-clock time falls in one of that local weekday's intervals and its local date is not a holiday.
The SLA clock and the phone menu therefore never disagree, also on the days the clocks change:

* Intervals are read on the local clock, so 00:00-06:00 lasts 5 real hours on a spring-forward night and
  7 on a fall-back night.
* A time that does not exist (it falls in a spring-forward gap) opens or closes at the jump itself: the
  first instant whose clock reads later than it.
* A time that exists twice (in a fall-back overlap) counts both times: the calendar is open whenever the
  clock reads inside an interval. An interval opening at such a time opens at its first occurrence
  (fold=0), and if the clock is then set back before the opening time it closes until the clock reads it
  again; one closing at such a time closes at its first occurrence and reopens when the clock is set back
  into the interval, until it reads the closing time again.
* The model requires opens < closes, so hours that run until midnight are stored with closes =
  23:59:59.999999, which here means "until midnight" (no lost microsecond). Hours past midnight are a
  second interval from 00:00 on the next weekday; intervals that touch or overlap are merged.
"""

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeAlias

from tickets.models import BusinessCalendar, BusinessHours

END_OF_DAY = time(23, 59, 59, 999999)

_ZERO = timedelta(0)
_TICK = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)

# A local-day interval as offsets from local midnight, and a stretch of business time as naive UTC datetimes.
# Naive UTC keeps the arithmetic on plain integers of microseconds; results get their tzinfo at the end.
_Span: TypeAlias = tuple[timedelta, timedelta]
_Stretch: TypeAlias = tuple[datetime, datetime]


def is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether `at` (timezone-aware) falls in the calendar's weekly hours and is not a holiday.

    Reads `calendar.hours` and `calendar.holidays`; prefetch them when asking for many calendars.
    """
    local = at.astimezone(calendar.zone)
    if any(holiday.date == local.date() for holiday in calendar.holidays.all()):
        return False
    now = local.time().replace(tzinfo=None)
    return any(
        h.weekday == local.weekday() and h.opens <= now and (now < h.closes or h.closes == END_OF_DAY)
        for h in calendar.hours.all()
    )


def add_business_time(calendar: BusinessCalendar | None, start: datetime, duration: timedelta) -> datetime:
    """The UTC instant at which `duration` of business time has passed since `start`: when an SLA target is due.

    The clock runs only while the calendar is open, so a start outside hours counts from the next opening,
    and a zero duration gives `start` if open, else the next opening. A duration that ends exactly where
    an interval ends gives that end (the deadline is "by closing time", not "at the next opening").
    `calendar=None` means 24/7. Raises ValueError for a naive `start`, a negative duration, or a calendar
    without any weekly hours (the clock would never finish).

    Cost grows with the number of weeks holding a holiday or an offset change, not with the duration:
    plain weeks are skipped a week at a time.
    """
    begin = _naive_utc(start, "start")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    if calendar is None:
        return (begin + duration).replace(tzinfo=UTC)
    schedule = _Schedule.of(calendar)
    remaining = duration
    # Start a day early: a fall-back that crosses midnight can put some of yesterday's hours after `start`.
    day = start.astimezone(schedule.zone).date() - _DAY
    while True:
        if remaining > schedule.week_total:
            week = schedule.plain_week(day)
            if week is not None and week[0] >= begin:
                remaining -= schedule.week_total
                day += _WEEK
                continue
        for opens, closes in schedule.stretches(day):
            if closes <= begin:
                continue
            opens = max(opens, begin)
            if remaining <= closes - opens:
                return (opens + remaining).replace(tzinfo=UTC)
            remaining -= closes - opens
        day += _DAY


def business_time_between(calendar: BusinessCalendar | None, start: datetime, end: datetime) -> timedelta:
    """Business time in [start, end): how much of an SLA target a ticket has used; zero if end <= start.

    The inverse of `add_business_time`: `business_time_between(c, s, add_business_time(c, s, d)) == d`
    for every d >= 0, exactly (all arithmetic is in whole microseconds). `calendar=None` means 24/7.
    """
    begin, finish = _naive_utc(start, "start"), _naive_utc(end, "end")
    if finish <= begin:
        return _ZERO
    if calendar is None:
        return finish - begin
    schedule = _Schedule.of(calendar)
    total = _ZERO
    day = start.astimezone(schedule.zone).date() - _DAY
    last_day = end.astimezone(schedule.zone).date() + _DAY
    while day <= last_day:
        if day + _WEEK <= last_day:
            week = schedule.plain_week(day)
            if week is not None and begin <= week[0] and week[1] <= finish:
                total += schedule.week_total
                day += _WEEK
                continue
        for opens, closes in schedule.stretches(day):
            opens, closes = max(opens, begin), min(closes, finish)
            if opens < closes:
                total += closes - opens
        day += _DAY
    return total


def next_opening(calendar: BusinessCalendar | None, at: datetime) -> datetime:
    """`at` (in UTC) if the calendar is open then, else the UTC instant it next opens.

    An instant where an interval ends is closed, so it gives the next opening. Raises ValueError for a
    calendar without weekly hours, which never opens.
    """
    return add_business_time(calendar, at, _ZERO)


def _naive_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value.astimezone(UTC).replace(tzinfo=None)


def _since_midnight(value: time) -> timedelta:
    return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)


def _merged_week(hours: Iterable[BusinessHours]) -> tuple[tuple[_Span, ...], ...]:
    """Per weekday, the disjoint spans that the (possibly touching or overlapping) intervals cover."""
    spans: list[list[_Span]] = [[] for _ in range(7)]
    for h in hours:
        closes = _DAY if h.closes == END_OF_DAY else _since_midnight(h.closes)
        opens = _since_midnight(h.opens)
        if 0 <= h.weekday <= 6 and opens < closes:  # is_open never matches anything else either
            spans[h.weekday].append((opens, closes))
    merged: list[tuple[_Span, ...]] = []
    for day in spans:
        out: list[_Span] = []
        for opens, closes in sorted(day):
            if out and opens <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], closes))
            else:
                out.append((opens, closes))
        merged.append(tuple(out))
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class _Schedule:
    """A calendar read once: merged weekly spans, sorted holidays, and the zone that places them in time."""

    zone: tzinfo
    week: tuple[tuple[_Span, ...], ...]
    week_total: timedelta
    holidays: tuple[date, ...]
    holiday_set: frozenset[date]

    @classmethod
    def of(cls, calendar: BusinessCalendar) -> "_Schedule":
        week = _merged_week(calendar.hours.all())
        week_total = sum((closes - opens for day in week for opens, closes in day), _ZERO)
        if week_total == _ZERO:
            raise ValueError(f"calendar {calendar} has no business hours")
        holidays = tuple(sorted({holiday.date for holiday in calendar.holidays.all()}))
        return cls(calendar.zone, week, week_total, holidays, frozenset(holidays))

    def steady_offset(self, day: date) -> timedelta | None:
        """The UTC offset at the local midnight that starts `day`, or None if that midnight is skipped or repeated."""
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        offset = midnight.utcoffset()
        return offset if offset == midnight.replace(fold=1).utcoffset() else None

    def plain_week(self, day: date) -> _Stretch | None:
        """The naive-UTC starts of `day` and `day` + 7 if that week has no holiday and a single UTC offset.

        Such a week holds exactly `week_total` of business time, which is what lets long SLA clocks skip
        whole weeks. Equal offsets at each of the eight midnights rule out a change inside the week because
        offset changes are days apart in every zone (the tz database's closest pair is about four days).
        """
        i = bisect_left(self.holidays, day)
        if i < len(self.holidays) and self.holidays[i] < day + _WEEK:
            return None
        offset = self.steady_offset(day)
        if offset is None or any(self.steady_offset(day + k * _DAY) != offset for k in range(1, 8)):
            return None
        first = datetime.combine(day, time(0)) - offset
        return first, first + _WEEK

    def stretches(self, day: date) -> list[_Stretch]:
        """The business time of local date `day` as disjoint naive-UTC [opens, closes) pairs, in order."""
        spans = self.week[day.weekday()]
        if not spans or day in self.holiday_set:
            return []
        midnight = datetime.combine(day, time(0))
        offset = self.steady_offset(day)
        if offset is not None and offset == self.steady_offset(day + _DAY):
            # One offset all day (changes are days apart, see plain_week): wall clock minus offset is UTC.
            return [(midnight + opens - offset, midnight + closes - offset) for opens, closes in spans]
        return self._stretches_across_change(midnight, spans)

    def _stretches_across_change(self, midnight: datetime, spans: tuple[_Span, ...]) -> list[_Stretch]:
        """Stretches of a day whose UTC offset changes: each span read separately under each offset in force.

        Under offset o the clock reads t + o, so a span [opens, closes) covers [opens - o, closes - o) of
        the time o is in force. That one rule yields the gap, overlap and fold=0 behaviour described at the
        top of the module, and matches `is_open` instant for instant.
        """
        first = self._offsets_at_local(midnight)
        last = self._offsets_at_local(midnight + _DAY)
        changes, offsets = self._offset_changes(midnight - max(first), midnight + _DAY - min(last))
        bounds: list[datetime | None] = [None, *changes, None]
        found: list[_Stretch] = []
        for opens, closes in spans:
            for i, offset in enumerate(offsets):
                lo, hi = midnight + opens - offset, midnight + closes - offset
                after, before = bounds[i], bounds[i + 1]
                if after is not None:
                    lo = max(lo, after)
                if before is not None:
                    hi = min(hi, before)
                if lo < hi:
                    found.append((lo, hi))
        return sorted(found)

    def _offsets_at_local(self, local: datetime) -> tuple[timedelta, timedelta]:
        """The offsets (fold=0, fold=1) of a naive local time; they differ only in a gap or overlap."""
        aware = local.replace(tzinfo=self.zone)
        return _offset(aware), _offset(aware.replace(fold=1))

    def _offset_at_utc(self, moment: datetime) -> timedelta:
        return _offset(moment.replace(tzinfo=UTC).astimezone(self.zone))

    def _offset_changes(self, lo: datetime, hi: datetime) -> tuple[list[datetime], list[timedelta]]:
        """The naive-UTC instants in (lo, hi] where the offset changes, and the offsets before, between, after.

        zoneinfo does not publish its transitions, so each is found by bisection to the microsecond; this
        runs only on the few days a year whose midnights disagree, so its ~40 lookups don't matter.
        """
        changes: list[datetime] = []
        offsets = [self._offset_at_utc(lo)]
        final = self._offset_at_utc(hi)
        while offsets[-1] != final:
            a, b = changes[-1] if changes else lo, hi
            while b - a > _TICK:
                mid = a + (b - a) // 2
                if self._offset_at_utc(mid) == offsets[-1]:
                    a = mid
                else:
                    b = mid
            changes.append(b)
            offsets.append(self._offset_at_utc(b))
        return changes, offsets


def _offset(aware: datetime) -> timedelta:
    offset = aware.utcoffset()
    if offset is None:  # only a tzinfo that isn't a real zone returns None
        raise ValueError(f"{aware.tzinfo!r} gives no UTC offset")
    return offset
