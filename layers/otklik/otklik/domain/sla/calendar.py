"""Business time: the working periods of a calendar, and deadlines counted in its working hours only.

A calendar has a time zone, each weekday's working periods in local time (several for a break:
09:00-13:00 and 14:00-18:00), optionally a production calendar (public holidays, days off moved by
decree, weekend days worked by decree), and the seller's own days off and extra working days.

Business time is counted on the local wall clock of the calendar, to the microsecond: an hour of work is
an hour between two period edges as the office clock shows them. A deadline that ends exactly at a
period's end is that end (17:00 plus one hour is 18:00 the same day, not 09:00 the next morning). Long
spans cost little: seven days in a row without an exception to the weekly pattern are one week's
working time, so whole weeks are skipped by arithmetic and only the days around holidays are walked.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

# Positions inside a day are microseconds after local midnight; a period is [start, end).
MICROSECONDS_PER_HOUR = 3_600_000_000
MINUTE = 60_000_000
DAY = 24 * MICROSECONDS_PER_HOUR
# How far a deadline may be looked for: far beyond any target, near enough to stop a calendar that
# (through the seller's days off) has no working time left instead of walking to the year 9999.
HORIZON_YEARS = 50
# The last year counted: a little before datetime's end, so that a week's step never overflows it.
LAST_YEAR = 9997

Periods = tuple[tuple[int, int], ...]


class NoWorkingTime(ValueError):
    """The calendar has no working time in reach of the question (a deadline would never come)."""


class ProductionCalendar(Protocol):
    """A country's official calendar: which dates rest and which weekend dates are worked, per year."""

    name: str

    def days_off(self, year: int) -> frozenset[date]: ...

    def working_days(self, year: int) -> frozenset[date]: ...


def minutes_to_periods(periods: Iterable[tuple[int, int]]) -> Periods:
    """Periods given in minutes after midnight, as microseconds, sorted, touching ones joined."""
    joined: list[tuple[int, int]] = []
    for first, last in sorted(periods):
        if not 0 <= first < last <= 24 * 60:
            raise ValueError(f"a period ends after it starts, within 00:00-24:00 (minutes {first}-{last})")
        start, end = first * MINUTE, last * MINUTE
        if joined and start < joined[-1][1]:
            raise ValueError("periods of a day overlap")
        if joined and start == joined[-1][1]:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return tuple(joined)


def _length(periods: Periods) -> int:
    return sum(end - start for start, end in periods)


def _overlap(periods: Periods, begin: int, end: int) -> int:
    """The working microseconds of periods inside [begin, end) of one day."""
    return sum(max(0, min(stop, end) - max(start, begin)) for start, stop in periods)


class BusinessCalendar:
    """One calendar's working time. Immutable; what it learns about a year is kept for the next call."""

    def __init__(
        self,
        name: str,
        time_zone: tzinfo,
        week: tuple[Periods, ...],
        *,
        extra_day: Periods,
        production: ProductionCalendar | None = None,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
    ) -> None:
        """week: Monday's periods first (microseconds, see minutes_to_periods); extra_day: the periods of
        a working day the week has none for (a weekend day worked by decree, a day of working_days)."""
        if len(week) != 7:
            raise ValueError("a week has seven days, Monday first")
        if not any(week):
            raise NoWorkingTime(f"calendar {name!r} has no working hours on any weekday")
        self.name = name
        self.time_zone = time_zone
        self._week = week
        self._extra_day = extra_day
        self._week_length = sum(_length(day) for day in week)
        self._production = production
        self._days_off = frozenset(days_off)
        self._working_days = frozenset(working_days)
        # year -> the dates whose periods differ from their weekday's, and those dates sorted.
        self._exceptions: dict[int, Mapping[date, Periods]] = {}
        self._exception_dates: dict[int, tuple[date, ...]] = {}

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.name!r}, {self.time_zone})"

    # ------------------------------------------------------------------ which periods a date has

    def _year(self, year: int) -> Mapping[date, Periods]:
        exceptions = self._exceptions.get(year)
        if exceptions is not None:
            return exceptions
        found: dict[date, Periods] = {}
        if self._production is not None:
            found.update(dict.fromkeys(self._production.days_off(year), ()))
            for day in self._production.working_days(year):
                found[day] = self._week[day.weekday()] or self._extra_day
        for day in self._working_days:
            if day.year == year:
                found[day] = self._week[day.weekday()] or self._extra_day
        for day in self._days_off:
            if day.year == year:
                found[day] = ()
        exceptions = {day: periods for day, periods in found.items() if periods != self._week[day.weekday()]}
        self._exceptions[year] = exceptions
        self._exception_dates[year] = tuple(sorted(exceptions))
        return exceptions

    def periods_on(self, day: date) -> Periods:
        """The working periods of a date (microseconds after local midnight); () for a day off."""
        special = self._year(day.year).get(day)
        return special if special is not None else self._week[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self.periods_on(day))

    def _next_exception(self, day: date) -> date:
        """The first date on or after day that differs from its weekday, or the end of next year."""
        for year in (day.year, min(day.year + 1, LAST_YEAR)):
            self._year(year)
            dates = self._exception_dates[year]
            index = bisect_left(dates, day)
            if index < len(dates):
                return dates[index]
        return date(day.year + 2, 1, 1)

    def _whole_weeks(self, day: date, most: int) -> int:
        """How many whole weeks from day on (at most `most`) hold no exception to the weekly pattern."""
        if most <= 0:
            return 0
        return min(most, (self._next_exception(day) - day).days // 7)

    # ------------------------------------------------------------------ instants and positions

    def _position(self, moment: datetime) -> tuple[date, int]:
        if moment.utcoffset() is None:
            raise ValueError("a moment needs a time zone (e.g. 2026-11-22T09:41:00+03:00)")
        local = moment.astimezone(self.time_zone)
        if local.year > LAST_YEAR:
            raise NoWorkingTime(f"{local.date()} is past the year {LAST_YEAR}, the last a calendar counts")
        offset = (local.hour * 3600 + local.minute * 60 + local.second) * 1_000_000 + local.microsecond
        return local.date(), offset

    def _instant(self, day: date, position: int) -> datetime:
        wall = datetime.combine(day, time()) + timedelta(microseconds=position)
        return wall.replace(tzinfo=self.time_zone)

    def _check_reach(self, day: date, start: date) -> None:
        if day.year - start.year > HORIZON_YEARS or day.year > LAST_YEAR:
            reach = min(start.year + HORIZON_YEARS, LAST_YEAR)
            raise NoWorkingTime(
                f"calendar {self.name!r} has no working time from {start} to the end of {reach}"
            )

    # ------------------------------------------------------------------ the two questions

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after start, in the calendar's time zone."""
        if not hours >= 0 or hours == float("inf"):
            raise ValueError(f"business hours must be a finite number of hours, 0 or more: {hours}")
        remaining = round(hours * MICROSECONDS_PER_HOUR)
        if remaining == 0:
            return start.astimezone(self.time_zone)
        day, position = self._position(start)
        first = day
        while True:
            if position == 0 and remaining > self._week_length:
                # Leave at least one microsecond to place inside a period: a target of exactly k
                # weeks ends at the last period's end, not at the next day's midnight.
                weeks = self._whole_weeks(day, (remaining - 1) // self._week_length)
                day += timedelta(days=7 * weeks)
                remaining -= weeks * self._week_length
            for start_of, end_of in self.periods_on(day):
                if end_of <= position:
                    continue
                begin = max(start_of, position)
                if remaining <= end_of - begin:
                    return self._instant(day, begin + remaining)
                remaining -= end_of - begin
            day += timedelta(days=1)
            position = 0
            self._check_reach(day, first)

    def between(self, earlier: datetime, later: datetime) -> float:
        """The working hours from earlier to later (negative when later is the earlier one)."""
        return self.microseconds_between(earlier, later) / MICROSECONDS_PER_HOUR

    def microseconds_between(self, earlier: datetime, later: datetime) -> int:
        if later < earlier:
            return -self.microseconds_between(later, earlier)
        day, position = self._position(earlier)
        last_day, last_position = self._position(later)
        if day == last_day:
            return _overlap(self.periods_on(day), position, last_position)
        total = _overlap(self.periods_on(day), position, DAY)
        day += timedelta(days=1)
        while day < last_day:
            weeks = self._whole_weeks(day, (last_day - day).days // 7)
            if weeks:
                total += weeks * self._week_length
                day += timedelta(days=7 * weeks)
                continue
            total += _length(self.periods_on(day))
            day += timedelta(days=1)
        return total + _overlap(self.periods_on(last_day), 0, last_position)

    def is_working_time(self, moment: datetime) -> bool:
        """Whether moment is inside a working period (its start included, its end not)."""
        day, position = self._position(moment)
        return any(start <= position < end for start, end in self.periods_on(day))

    def is_period_end(self, moment: datetime) -> bool:
        """Whether moment is exactly the end of a working period (where a deadline may fall)."""
        day, position = self._position(moment)
        if position == 0:
            day, position = day - timedelta(days=1), DAY
        return any(end == position for _, end in self.periods_on(day))


def add_business_hours(start: datetime, hours: float, calendar: BusinessCalendar) -> datetime:
    """The deadline `hours` business hours after start, in the calendar's time zone.

    Exact at period edges: starting at a period's end or during a break counts from the next period's
    start; a deadline that uses up a period exactly is that period's end. Zero hours is start itself.
    """
    return calendar.add(start, hours)


def business_hours_between(a: datetime, b: datetime, calendar: BusinessCalendar) -> float:
    """The business hours of calendar from a to b (negative when b is before a)."""
    return calendar.between(a, b)
