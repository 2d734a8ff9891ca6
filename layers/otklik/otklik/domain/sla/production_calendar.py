"""The Russian production calendar (производственный календарь), as the `holidays` package carries it.

Per year: the non-working public holidays (Labour Code art. 112: 1-6 and 8 January, 7 January, 23
February, 8 March, 1 and 9 May, 12 June, 4 November), the days off a holiday on a weekend moves to, the
days off the government's yearly decree moves (2026: 3 January to 9 January, 4 January to 31 December),
and the weekend days that decree makes working (2027: Saturday 20 February, for Monday 22 February).

`holidays` gives the first three as its holidays of Russia (the one category it has for Russia: no
"workday" category) and the last as the `weekend_workdays` of the same object, with the decrees up to
the year its release knows (0.109: 2027). A later year has the holidays of art. 112 and none of the
moves, not even the one art. 112 makes by itself (a holiday on a weekend rests on the next working
day), until a release carries that year's decree: upgrade the package when the decree is out (it
comes each autumn). Not given, and not counted here: the pre-holiday days shortened by an hour (art.
95), and the regional holidays of a republic; a seller who keeps them lists those dates in the
calendar's `days_off`.

The package is imported on the first year asked, not with this module: it costs a cold start a few
hundred milliseconds, which only a step that computes deadlines should pay.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any


@cache
def _russia(years: tuple[int, ...]) -> Any:
    from holidays.countries.russia import Russia

    # Names are not used, only dates: English avoids loading the Russian translations.
    return Russia(years=years, language="en_US")


def _in_year(dates: Any, year: int) -> frozenset[date]:
    return frozenset(day for day in dates if day.year == year)


class RussianProductionCalendar:
    """Russia's days off and worked weekend days, per year (cached per process: the law, not state)."""

    name = "ru"

    def days_off(self, year: int) -> frozenset[date]:
        return _days_off(year)

    def working_days(self, year: int) -> frozenset[date]:
        return _working_days(year)


@cache
def _days_off(year: int) -> frozenset[date]:
    return _in_year(_russia((year,)).keys(), year)


@cache
def _working_days(year: int) -> frozenset[date]:
    # A decree may move a day off across the new year (a Saturday of one year worked for a day off of
    # the next), so the neighbours' transfers are read too and kept by the date's own year.
    worked: set[date] = set()
    for neighbour in (year - 1, year, year + 1):
        worked.update(_russia((neighbour,)).weekend_workdays)
    return _in_year(worked, year) - _days_off(year)


RUSSIA = RussianProductionCalendar()

PRODUCTION_CALENDARS: dict[str, RussianProductionCalendar] = {"ru": RUSSIA}
