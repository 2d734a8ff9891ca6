"""`make bench`: how long a deadline in business hours takes, short and long, on the default calendar.

The default calendar (Monday to Friday 09:00-18:00, Moscow, the Russian production calendar) and one
with a lunch break; starts drawn over 2026-2027 so that New Year holidays, moved days off and a worked
Saturday are crossed. The first deadline of a process also imports the `holidays` package and reads
its years: that one cost is printed on its own line, measured in a fresh interpreter.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from otklik.domain.sla import BusinessCalendar

REPEATS = 5
CALLS = 2000
MOSCOW = ZoneInfo("Europe/Moscow")
FIRST_CALL = """
import time
from datetime import datetime
from zoneinfo import ZoneInfo
from otklik.domain.config import DEFAULT_CONFIG
calendar = DEFAULT_CONFIG.sla.calendar("default")
start = time.perf_counter()
calendar.add(datetime(2026, 12, 30, 17, tzinfo=ZoneInfo("Europe/Moscow")), 24)
print(time.perf_counter() - start)
"""


def _best_microseconds(call: Callable[[datetime], object], starts: list[datetime]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        for start in starts:
            call(start)
        best = min(best, (time.perf_counter() - began) / len(starts))
    return best * 1e6


def _hours_to(start: datetime, ends: dict[datetime, datetime], calendar: BusinessCalendar) -> float:
    from otklik.domain.sla import business_hours_between

    return business_hours_between(start, ends[start], calendar)


def main() -> int:
    from otklik.domain.sla import add_business_hours
    from otklik.domain.sla.settings import CalendarSettings, Week

    lunch = ("09:00-13:00", "14:00-18:00")
    calendars = {
        "default": CalendarSettings(name="default").business_calendar(),
        "lunch": CalendarSettings(
            name="lunch", week=Week(mon=lunch, tue=lunch, wed=lunch, thu=lunch, fri=lunch)
        ).business_calendar(),
    }
    draw = random.Random(3)
    origin = datetime(2026, 1, 1, tzinfo=MOSCOW)
    starts = [origin + timedelta(minutes=draw.randrange(2 * 365 * 24 * 60)) for _ in range(CALLS)]
    for calendar in calendars.values():
        add_business_hours(starts[0], 1, calendar)  # the years read before timing

    print(f"SLA benchmark: one run, one machine; the best of {REPEATS} passes over {CALLS} starts")
    print(f"{'calendar':<10}{'hours':>8}{'add µs':>10}{'between µs':>12}")
    for name, calendar in calendars.items():
        for hours in (1, 12, 24, 45, 720, 2000):
            ends = {start: add_business_hours(start, hours, calendar) for start in starts}
            add = _best_microseconds(partial(add_business_hours, hours=hours, calendar=calendar), starts)
            between = _best_microseconds(partial(_hours_to, ends=ends, calendar=calendar), starts)
            print(f"{name:<10}{hours:>8}{add:>10.1f}{between:>12.1f}")
    first = subprocess.run(
        [sys.executable, "-c", FIRST_CALL], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"first deadline of a process (holidays imported, 2026-2027 read): {float(first) * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
