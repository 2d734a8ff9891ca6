"""Business hours on calendars: weekends, lunch breaks, the Russian production calendar, the seller's days.

The Russian dates below were checked by hand against the official production calendars:
- 2026 (the government's decree of September 2025): 1-11 January rest (1-8 holidays; Friday 9 January
  moved from Saturday 3 January; 10-11 the weekend); 21-23 February; 7-9 March (8 March is a Sunday, so
  Monday 9 March rests); 1-3 May and 9-11 May (9 May is a Saturday, so Monday 11 May rests); 12-14 June;
  Wednesday 4 November; Thursday 31 December (moved from Sunday 4 January). No Saturday is worked.
  247 working days: 15 in January, 19 in February, 21 in March, 22 in April, 19 in May, 21 in June,
  23 in July, 21 in August, 22 in September, 22 in October, 20 in November, 22 in December.
- 2027 (the decree on 2027): 1-10 January rest; Saturday 20 February is worked, for Monday 22 February,
  so 21-23 February rest; 6-8 March; 1-3 May and 8-10 May; 12-14 June; 4-7 November (Friday 5 November
  moved from Saturday 2 January); Friday 31 December (moved from Sunday 3 January). 247 working days.
- 2025, for the turn of the year and a worked Saturday: Wednesday 31 December 2025 rests; Saturday
  1 November 2025 is worked, for Monday 3 November.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.sla import BusinessCalendar, NoWorkingTime, add_business_hours, business_hours_between
from otklik.domain.sla.calendar import minutes_to_periods
from otklik.domain.sla.settings import CalendarSettings, Week

MOSCOW = ZoneInfo("Europe/Moscow")
DEFAULT = CalendarSettings(name="default").business_calendar()
LUNCH = ("09:00-13:00", "14:00-18:00")
WITH_LUNCH = CalendarSettings(
    name="lunch", week=Week(mon=LUNCH, tue=LUNCH, wed=LUNCH, thu=LUNCH, fri=LUNCH)
).business_calendar()


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


def calendar(**settings: object) -> BusinessCalendar:
    return CalendarSettings.model_validate({"name": "shop", **settings}).business_calendar()


# ------------------------------------------------------------------ weekends, breaks, period edges


def test_a_deadline_skips_the_weekend() -> None:
    # Given a review on Friday 20 November 2026 at 17:00, and two business hours
    # When the deadline is counted on Monday to Friday 09:00-18:00
    due = add_business_hours(msk(2026, 11, 20, 17), 2, DEFAULT)

    # Then one hour is Friday's last, the other Monday's first
    assert due == msk(2026, 11, 23, 10)


@pytest.mark.parametrize(
    ("received", "hours", "expected"),
    [
        (msk(2026, 11, 24, 12, 30), 1, msk(2026, 11, 24, 14, 30)),  # half before lunch, half after
        (msk(2026, 11, 24, 13, 30), 1, msk(2026, 11, 24, 15, 0)),  # received during lunch
        (msk(2026, 11, 24, 12, 0), 1, msk(2026, 11, 24, 13, 0)),  # ends as lunch begins
        (msk(2026, 11, 24, 13, 0), 0.5, msk(2026, 11, 24, 14, 30)),  # received as lunch begins
        (msk(2026, 11, 24, 9, 0), 8, msk(2026, 11, 24, 18, 0)),  # a whole day is 8 hours
    ],
    ids=["across-lunch", "during-lunch", "up-to-lunch", "at-lunch-start", "whole-day"],
)
def test_a_lunch_break_is_not_working_time(received: datetime, hours: float, expected: datetime) -> None:
    assert add_business_hours(received, hours, WITH_LUNCH) == expected


def test_the_hours_between_leave_the_lunch_break_out() -> None:
    # Given 12:00 and 15:00 of a day with a lunch break 13:00-14:00, then two hours were worked
    assert business_hours_between(msk(2026, 11, 24, 12), msk(2026, 11, 24, 15), WITH_LUNCH) == 2.0


@pytest.mark.parametrize(
    ("received", "hours", "expected"),
    [
        (msk(2026, 11, 23, 17, 59), 1, msk(2026, 11, 24, 9, 59)),  # one minute left today
        (msk(2026, 11, 23, 18, 0), 1, msk(2026, 11, 24, 10, 0)),  # received as the day ends
        (msk(2026, 11, 23, 17, 0), 1, msk(2026, 11, 23, 18, 0)),  # uses up the day exactly
        (msk(2026, 11, 23, 9, 0), 9, msk(2026, 11, 23, 18, 0)),  # the whole day, from its start
        (msk(2026, 11, 23, 8, 0), 1, msk(2026, 11, 23, 10, 0)),  # received before the day begins
        (msk(2026, 11, 22, 3, 0), 1, msk(2026, 11, 23, 10, 0)),  # received on a Sunday night
        (msk(2026, 11, 23, 17, 0), 1 / 60, msk(2026, 11, 23, 17, 1)),  # one minute
    ],
    ids=["17:59", "18:00", "to-18:00", "09:00-plus-9", "before-09:00", "sunday", "a-minute"],
)
def test_period_edges_are_exact(received: datetime, hours: float, expected: datetime) -> None:
    assert add_business_hours(received, hours, DEFAULT) == expected


def test_zero_hours_is_the_start_itself() -> None:
    assert add_business_hours(msk(2026, 11, 22, 3), 0, DEFAULT) == msk(2026, 11, 22, 3)


def test_a_deadline_is_given_in_the_calendars_time_zone() -> None:
    # Given a start in UTC, then the due time reads in Moscow time
    due = add_business_hours(datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("UTC")), 1, DEFAULT)

    assert due.utcoffset() == timedelta(hours=3)
    assert due.isoformat() == "2026-11-23T10:00:00+03:00"


def test_the_hours_between_are_negative_backwards_and_exact_across_a_weekend() -> None:
    friday, monday = msk(2026, 11, 20, 17, 30), msk(2026, 11, 23, 9, 15)

    assert business_hours_between(friday, monday, DEFAULT) == 0.75
    assert business_hours_between(monday, friday, DEFAULT) == -0.75


# ------------------------------------------------------------------ the Russian production calendar


@pytest.mark.parametrize(
    ("received", "hours", "expected"),
    [
        # 2026 into 2027: 31 December 2026 rests, 1-8 January are holidays, 9-10 the weekend.
        (msk(2026, 12, 30, 17, 30), 1, msk(2027, 1, 11, 9, 30)),
        # 2025 into 2026: 31 December 2025 rests, 1-8 January holidays, Friday 9 January moved, 10-11.
        (msk(2025, 12, 30, 17, 0), 2, msk(2026, 1, 12, 10, 0)),
        # Received during the holidays: the clock starts on the first working morning.
        (msk(2026, 1, 5, 12, 0), 1, msk(2026, 1, 12, 10, 0)),
    ],
    ids=["2026-2027", "2025-2026", "received-on-a-holiday"],
)
def test_the_new_year_holidays_are_not_working_time(
    received: datetime, hours: float, expected: datetime
) -> None:
    assert add_business_hours(received, hours, DEFAULT) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (msk(2027, 2, 19, 17), msk(2027, 2, 20, 10)),  # Saturday 20 February 2027 is worked
        (msk(2027, 2, 20, 17), msk(2027, 2, 24, 10)),  # ...for Monday 22; 23 February is a holiday
        (msk(2025, 10, 31, 17), msk(2025, 11, 1, 10)),  # Saturday 1 November 2025 is worked
        (msk(2025, 11, 1, 17), msk(2025, 11, 5, 10)),  # ...for Monday 3; 4 November is a holiday
        (msk(2026, 2, 20, 17), msk(2026, 2, 24, 10)),  # 2026 works no Saturday: 21-23 February rest
    ],
    ids=["2027-02-20-worked", "2027-02-22-rests", "2025-11-01-worked", "2025-11-03-rests", "2026-02"],
)
def test_a_weekend_day_worked_by_decree_is_working_time(received: datetime, expected: datetime) -> None:
    # Given a Friday or Saturday 17:00 and two business hours
    assert add_business_hours(received, 2, DEFAULT) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (msk(2026, 3, 6, 17), msk(2026, 3, 10, 10)),  # 8 March on a Sunday: Monday 9 March rests
        (msk(2026, 4, 30, 17), msk(2026, 5, 4, 10)),  # 1-3 May
        (msk(2026, 5, 8, 17), msk(2026, 5, 12, 10)),  # 9 May on a Saturday: Monday 11 May rests
        (msk(2026, 6, 11, 17), msk(2026, 6, 15, 10)),  # 12-14 June
        (msk(2026, 11, 3, 17), msk(2026, 11, 5, 10)),  # 4 November
        (msk(2027, 11, 3, 17), msk(2027, 11, 8, 10)),  # 4-7 November 2027: Friday 5 moved from 2 January
        (msk(2027, 6, 11, 17), msk(2027, 6, 15, 10)),  # 12 June 2027 on a Saturday: Monday 14 rests
    ],
    ids=["2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04", "2027-11-05", "2027-06-14"],
)
def test_public_holidays_and_the_days_they_move_to_rest(received: datetime, expected: datetime) -> None:
    assert add_business_hours(received, 2, DEFAULT) == expected


@pytest.mark.parametrize("year", [2026, 2027])
def test_a_year_has_the_official_247_working_days(year: int) -> None:
    # Given the default calendar's 9-hour days, then a whole year holds 247 of them
    hours = business_hours_between(msk(year, 1, 1), msk(year + 1, 1, 1), DEFAULT)

    assert hours == 247 * 9


@pytest.mark.parametrize(
    ("month", "days"),
    list(zip(range(1, 13), [15, 19, 21, 22, 19, 21, 23, 21, 22, 22, 20, 22], strict=True)),
)
def test_each_month_of_2026_has_its_official_working_days(month: int, days: int) -> None:
    end = msk(2027, 1, 1) if month == 12 else msk(2026, month + 1, 1)

    assert business_hours_between(msk(2026, month, 1), end, DEFAULT) == days * 9


# ------------------------------------------------------------------ the seller's own days


def test_a_sellers_day_off_is_not_working_time() -> None:
    # Given the seller rests on Monday 23 November 2026
    shop = calendar(days_off=[date(2026, 11, 23)])

    # Then two hours from Friday 17:00 end on Tuesday
    assert add_business_hours(msk(2026, 11, 20, 17), 2, shop) == msk(2026, 11, 24, 10)


def test_a_sellers_extra_working_day_is_worked_with_the_extra_day_hours() -> None:
    # Given the seller works Saturday 21 November 2026, 10:00-15:00
    shop = calendar(working_days=[date(2026, 11, 21)], extra_day_hours=["10:00-15:00"])

    # Then Friday's last hour, then Saturday from 10:00
    assert add_business_hours(msk(2026, 11, 20, 17), 2, shop) == msk(2026, 11, 21, 11)


def test_a_seller_may_work_a_public_holiday_with_its_weekdays_hours() -> None:
    # Given the seller works Monday 5 January 2026, a holiday of the production calendar
    shop = calendar(working_days=[date(2026, 1, 5)])

    assert add_business_hours(msk(2025, 12, 30, 17), 2, shop) == msk(2026, 1, 5, 10)


def test_a_sellers_day_off_wins_over_a_saturday_worked_by_decree() -> None:
    shop = calendar(days_off=[date(2027, 2, 20)])

    assert add_business_hours(msk(2027, 2, 19, 17), 2, shop) == msk(2027, 2, 24, 10)


def test_without_a_production_calendar_only_the_week_counts() -> None:
    shop = calendar(production_calendar="none")

    assert add_business_hours(msk(2026, 12, 30, 17, 30), 1, shop) == msk(2026, 12, 31, 9, 30)


def test_a_round_the_clock_calendar_counts_wall_clock_hours() -> None:
    every_day = ("00:00-24:00",)
    always = calendar(
        production_calendar="none",
        week={day: every_day for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )

    assert add_business_hours(msk(2026, 12, 30, 17, 30), 48, always) == msk(2027, 1, 1, 17, 30)


def test_another_time_zones_working_day_is_its_own() -> None:
    # Given a team in Yekaterinburg (UTC+5) and a review at 12:00 Moscow time (14:00 there)
    urals = calendar(time_zone="Asia/Yekaterinburg")

    due = add_business_hours(msk(2026, 11, 23, 12), 4, urals)

    # Then its four hours end at 18:00 in Yekaterinburg, 16:00 in Moscow
    assert due.isoformat() == "2026-11-23T18:00:00+05:00"
    assert due == msk(2026, 11, 23, 16)


def test_working_periods_are_local_wall_clock_across_a_daylight_saving_change() -> None:
    # Given a Berlin team: summer time begins on Sunday 29 March 2026
    berlin = calendar(time_zone="Europe/Berlin", production_calendar="none")
    friday = datetime(2026, 3, 27, 17, tzinfo=ZoneInfo("Europe/Berlin"))

    due = add_business_hours(friday, 2, berlin)

    # Then Monday's 10:00 is summer time's 10:00
    assert due.isoformat() == "2026-03-30T10:00:00+02:00"


# ------------------------------------------------------------------ long spans


def _ninth_hour_of(working_day: int, start: date) -> datetime:
    """18:00 of the n-th working day from start on, by the holidays package's own Russian calendar."""
    import holidays

    russia = holidays.country_holidays("RU", years=range(start.year, start.year + 3))
    day, seen = start, 0
    while True:
        if russia.is_working_day(day):
            seen += 1
            if seen == working_day:
                return msk(day.year, day.month, day.day, 18)
        day += timedelta(days=1)


@pytest.mark.parametrize("start", [date(2026, 11, 2), date(2026, 12, 1), date(2027, 1, 11)])
def test_a_720_hour_target_ends_on_the_80th_working_day(start: date) -> None:
    # Given a 9-hour day, 720 business hours from a working day's 09:00 are 80 whole working days
    due = add_business_hours(msk(start.year, start.month, start.day, 9), 720, DEFAULT)

    assert due == _ninth_hour_of(80, start)
    assert business_hours_between(msk(start.year, start.month, start.day, 9), due, DEFAULT) == 720


class _CountingCalendar(BusinessCalendar):
    """A calendar that counts the days it is asked about."""

    asked = 0

    def periods_on(self, day: date) -> tuple[tuple[int, int], ...]:
        self.asked += 1
        return super().periods_on(day)


def _counting(production: bool) -> _CountingCalendar:
    from otklik.domain.sla.production_calendar import RUSSIA

    nine_to_six = minutes_to_periods([(540, 1080)])
    return _CountingCalendar(
        "counting",
        MOSCOW,
        (nine_to_six,) * 5 + ((), ()),
        extra_day=nine_to_six,
        production=RUSSIA if production else None,
    )


def test_long_spans_skip_whole_weeks_instead_of_walking_each_day() -> None:
    # Given 720 hours (112 calendar days of an ordinary week) and 2,223 hours (the year 2026)
    plain, russian = _counting(production=False), _counting(production=True)

    add_business_hours(msk(2026, 11, 2, 9), 720, plain)
    business_hours_between(msk(2026, 1, 1), msk(2027, 1, 1), russian)

    # Then an ordinary week is one step, and only the weeks around holidays are walked day by day
    assert plain.asked <= 14
    assert russian.asked <= 60


def test_a_calendar_without_working_time_left_says_so_instead_of_searching_forever() -> None:
    # Given a calendar that works Mondays only, and every Monday of sixty years taken off
    mondays = [date(2026, 11, 23) + timedelta(weeks=week) for week in range(60 * 53)]
    nine_to_six = minutes_to_periods([(540, 1080)])
    never = BusinessCalendar(
        "never", MOSCOW, (nine_to_six,) + ((),) * 6, extra_day=nine_to_six, days_off=mondays
    )

    with pytest.raises(NoWorkingTime, match="no working time from 2026-11-20 to the end of 2076"):
        add_business_hours(msk(2026, 11, 20), 1, never)


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf")])
def test_hours_must_be_a_finite_number_not_below_zero(hours: float) -> None:
    with pytest.raises(ValueError, match="finite number of hours"):
        add_business_hours(msk(2026, 11, 20), hours, DEFAULT)


def test_a_moment_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a time zone"):
        add_business_hours(datetime(2026, 11, 20, 12), 1, DEFAULT)  # noqa: DTZ001
