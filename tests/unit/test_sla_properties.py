"""Properties of business time, drawn by hypothesis: on the default calendar, one with lunch and a worked
Saturday, one with the seller's own days and a round-the-clock one, from 2024 to 2028.

- counting a deadline's hours back gives the hours it was set with;
- a deadline lies in working time or at a period's end, never in a break, a night or a holiday (unless a
  marketplace window cut it short);
- more hours never give an earlier deadline, and hours add up;
- for short spans, the deadline is the one a minute-by-minute walk over the holidays package's own
  Russian calendar finds.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otklik.domain.config import DEFAULT_CONFIG
from otklik.domain.sla import BusinessCalendar, add_business_hours, business_hours_between, deadlines
from otklik.domain.sla.settings import CalendarSettings, Week, period_minutes

MOSCOW = ZoneInfo("Europe/Moscow")
LUNCH = ("09:00-13:00", "14:00-18:00")
SETTINGS = {
    "default": CalendarSettings(name="default"),
    "lunch": CalendarSettings(
        name="lunch",
        week=Week(
            mon=LUNCH,
            tue=LUNCH,
            wed=LUNCH,
            thu=LUNCH,
            fri=("09:00-13:00", "14:00-16:45"),
            sat=("10:00-14:00",),
        ),
        extra_day_hours=("10:00-12:00", "12:30-15:00"),
    ),
    "own-days": CalendarSettings(
        name="own-days",
        time_zone="Asia/Yekaterinburg",
        days_off=(date(2026, 12, 29), date(2027, 2, 20), date(2026, 11, 23)),
        working_days=(date(2026, 11, 21), date(2027, 1, 5), date(2026, 12, 31)),
    ),
    "always": CalendarSettings(
        name="always",
        production_calendar="none",
        week=Week(**dict.fromkeys(Week.model_fields, ("00:00-24:00",))),
    ),
}
CALENDARS: dict[str, BusinessCalendar] = {name: each.business_calendar() for name, each in SETTINGS.items()}

calendars = st.sampled_from(sorted(CALENDARS))
# hypothesis draws naive datetimes between the bounds and puts the zone on them.
EARLIEST, LATEST = datetime(2024, 1, 1), datetime(2028, 6, 30)  # noqa: DTZ001
moments = st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(MOSCOW))
minutes = moments.map(lambda moment: moment.replace(second=0, microsecond=0))
hours = st.integers(min_value=1, max_value=720 * 60).map(lambda count: count / 60)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _in_working_time_or_at_a_periods_end(moment: datetime, calendar: BusinessCalendar) -> bool:
    return calendar.is_working_time(moment) or calendar.is_period_end(moment)


@PROPERTY
@given(calendars, moments, hours)
def test_counting_a_deadlines_hours_back_gives_its_hours(name: str, start: datetime, target: float) -> None:
    calendar = CALENDARS[name]

    due = add_business_hours(start, target, calendar)

    assert abs(business_hours_between(start, due, calendar) - target) < 1e-9


@PROPERTY
@given(calendars, moments, hours)
def test_a_deadline_never_falls_outside_working_time(name: str, start: datetime, target: float) -> None:
    calendar = CALENDARS[name]

    due = add_business_hours(start, target, calendar)

    assert due > start
    assert _in_working_time_or_at_a_periods_end(due, calendar)


@PROPERTY
@given(calendars, moments, hours, hours)
def test_more_hours_never_give_an_earlier_deadline_and_hours_add_up(
    name: str, start: datetime, first: float, second: float
) -> None:
    calendar = CALENDARS[name]
    fewer, more = sorted((first, second))

    assert add_business_hours(start, fewer, calendar) <= add_business_hours(start, more, calendar)
    assert add_business_hours(
        add_business_hours(start, first, calendar), second, calendar
    ) == add_business_hours(start, first + second, calendar)


@PROPERTY
@given(
    st.sampled_from(["standard"]),
    st.sampled_from(["urgent", "high", "normal", "low"]),
    st.sampled_from(["review", "question", "chat", "complaint", "survey"]),
    moments,
    st.sampled_from(["wildberries", "ozon", "yandex_market", "site"]),
    st.integers(min_value=0, max_value=40),
)
def test_a_tickets_deadlines_fall_in_working_time_unless_a_window_cut_them(
    policy_name: str, priority: str, kind: str, received: datetime, source: str, days_before: int
) -> None:
    policy = DEFAULT_CONFIG.sla.policy(policy_name)
    calendar = DEFAULT_CONFIG.sla.calendar(policy.calendar)

    result = deadlines(
        policy,
        calendar,
        priority,  # type: ignore[arg-type]
        kind,  # type: ignore[arg-type]
        received,
        source,
        created_at=received - timedelta(days=days_before),
    )

    for moment in (result.first_response_due_at, result.resolution_due_at):
        assert moment is not None
        if result.window_closes_at is not None:
            assert moment <= result.window_closes_at
        if result.clamped_by is None or moment != result.window_closes_at:
            assert _in_working_time_or_at_a_periods_end(moment, calendar)
    if result.clamped_by is not None:
        # The longest target, resolution, is the one a window cuts first.
        assert result.resolution_due_at == result.window_closes_at


# ------------------------------------------------------------------ against a minute-by-minute walk

_RUSSIA = holidays.country_holidays("RU", years=range(2023, 2030))


def _minutes_of(periods: tuple[str, ...]) -> list[tuple[int, int]]:
    return [period_minutes(period) for period in periods]


def _working_minutes_of(day: date, calendar: CalendarSettings) -> list[tuple[int, int]]:
    """The day's periods as a reader of the settings would work them out, with holidays' own answer."""
    week = _minutes_of(calendar.week.days()[day.weekday()])
    extra = _minutes_of(calendar.extra_day_hours)
    if day in calendar.days_off:
        return []
    if day in calendar.working_days:
        return week or extra
    if calendar.production_calendar == "ru":
        if day in _RUSSIA:
            return []
        if day in _RUSSIA.weekend_workdays:
            return week or extra
    return week


def _walk(start: datetime, count: int, calendar: CalendarSettings) -> datetime:
    """The end of the count-th working minute from start, found one minute at a time."""
    zone = ZoneInfo(calendar.time_zone)
    moment = start.astimezone(zone).replace(tzinfo=None)
    while True:
        minute = moment.hour * 60 + moment.minute
        if any(begin <= minute < end for begin, end in _working_minutes_of(moment.date(), calendar)):
            count -= 1
        moment += timedelta(minutes=1)
        if count == 0:
            return moment.replace(tzinfo=zone)


@settings(max_examples=60, deadline=None)
@given(calendars, minutes, st.integers(min_value=1, max_value=30 * 60))
def test_a_short_deadline_is_the_one_a_minute_by_minute_walk_finds(
    name: str, start: datetime, count: int
) -> None:
    assert add_business_hours(start, count / 60, CALENDARS[name]) == _walk(start, count, SETTINGS[name])
