"""The `sla` section of the configuration document: business calendars, and SLA policies over them.

    sla:
      default_policy: standard
      calendars:
        - name: default
          time_zone: Europe/Moscow
          week: {mon: ["09:00-13:00", "14:00-18:00"], ..., sat: [], sun: []}
          production_calendar: ru
          extra_day_hours: ["09:00-18:00"]
          days_off: [2026-12-30]
          working_days: []
      policies:
        - name: standard
          calendar: default
          warn_share: 0.8
          targets:
            - {kinds: [question, chat], first_response_hours: 12, next_response_hours: 12,
               resolution_hours: 27}
            - {first_response_hours: 24, next_response_hours: 24, resolution_hours: 45}
          escalation:
            - {notify: team_lead, after_hours: 0}
            - {notify: head, after_hours: 4}

Targets are business hours of the policy's calendar. A ticket takes the first entry of `targets` whose
`kinds` and `priorities` include its own (left out: any), so the order is the one the seller reads. The
defaults reproduce the wall-clock hours of `routing.sla` (24 to answer, 12 for questions and chats) as
business hours. Validated with the rest of the document (otklik.domain.config); what refers to what
(a policy's calendar, the default policy, entries no ticket can reach) is checked on the raw document by
sla_reference_problems, so it is reported beside the field errors of the same check.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, model_validator

from otklik.domain.models import FeedbackKind, Frozen, Priority
from otklik.domain.sla.calendar import BusinessCalendar, Periods, minutes_to_periods
from otklik.domain.sla.production_calendar import PRODUCTION_CALENDARS

NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS: tuple[str, ...] = get_args(FeedbackKind)
PRIORITIES: tuple[str, ...] = get_args(Priority)
# About a working year (247 days of 8 hours): a longer target is a typo, not a policy.
MAX_TARGET_HOURS = 2000
MAX_DATES = 1000
_PERIOD = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
NINE_TO_SIX = ("09:00-18:00",)
DEFAULT_CALENDAR = "default"


class UnknownName(ValueError):
    """A policy or calendar asked for by a name the settings do not define."""


def period_minutes(period: str) -> tuple[int, int]:
    """'09:00-13:00' -> (540, 780): minutes after midnight, the end up to 24:00."""
    match = _PERIOD.match(period)
    if not match:
        raise ValueError(f"{period!r} is not a period: HH:MM-HH:MM, e.g. 09:00-13:00")
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    if start_hour > 23 or start_minute > 59 or end_minute > 59 or end_hour * 60 + end_minute > 24 * 60:
        raise ValueError(f"{period!r}: times run from 00:00 to 24:00")
    start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
    if start >= end:
        raise ValueError(
            f"{period!r} does not end after it starts; a period past midnight is two, "
            "22:00-24:00 and the next day's 00:00-06:00"
        )
    return start, end


def _period(period: str) -> str:
    period_minutes(period)
    return period


def _apart(periods: tuple[str, ...]) -> tuple[str, ...]:
    ordered = sorted(periods, key=period_minutes)
    for before, after in pairwise(ordered):
        if period_minutes(after)[0] < period_minutes(before)[1]:
            raise ValueError(f"{after} overlaps {before}")
    return periods


Period = Annotated[str, AfterValidator(_period)]
DayHours = Annotated[tuple[Period, ...], Field(max_length=12), AfterValidator(_apart)]


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r}; an IANA name, e.g. Europe/Moscow or Asia/Yekaterinburg"
        ) from None
    return name


def _periods(hours: tuple[str, ...]) -> Periods:
    return minutes_to_periods(period_minutes(period) for period in hours)


class Week(Frozen):
    """Each weekday's working periods, local time; [] for a day off. A weekday left out keeps its default."""

    mon: DayHours = NINE_TO_SIX
    tue: DayHours = NINE_TO_SIX
    wed: DayHours = NINE_TO_SIX
    thu: DayHours = NINE_TO_SIX
    fri: DayHours = NINE_TO_SIX
    sat: DayHours = ()
    sun: DayHours = ()

    @model_validator(mode="after")
    def _works_some_day(self) -> Week:
        if not any(self.days()):
            raise ValueError("no working hours on any day: no deadline would ever come")
        return self

    def days(self) -> tuple[tuple[str, ...], ...]:
        """Monday's periods first."""
        return tuple(getattr(self, day) for day in WEEKDAYS)


class CalendarSettings(Frozen):
    name: str = Field(pattern=NAME)
    time_zone: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_time_zone)] = (
        "Europe/Moscow"
    )
    week: Week = Week()
    production_calendar: Literal["ru", "none"] = Field(
        default="ru",
        description="ru: Russian holidays, days off moved by decree, weekend days worked by decree",
    )
    extra_day_hours: Annotated[DayHours, Field(min_length=1)] = Field(
        default=NINE_TO_SIX,
        description="periods of a working day the week has none for: a worked Saturday, a working_days date",
    )
    days_off: tuple[date, ...] = Field(default=(), max_length=MAX_DATES, description="the seller's own")
    working_days: tuple[date, ...] = Field(
        default=(), max_length=MAX_DATES, description="dates worked though the week or the calendar rests"
    )

    def business_calendar(self) -> BusinessCalendar:
        """The calendar these settings describe, built once per process and value."""
        return _business_calendar(self)


@cache
def _business_calendar(settings: CalendarSettings) -> BusinessCalendar:
    production = PRODUCTION_CALENDARS.get(settings.production_calendar)
    return BusinessCalendar(
        settings.name,
        ZoneInfo(settings.time_zone),
        tuple(_periods(day) for day in settings.week.days()),
        extra_day=_periods(settings.extra_day_hours),
        production=production,
        days_off=settings.days_off,
        working_days=settings.working_days,
    )


TargetHours = Annotated[float, Field(gt=0, le=MAX_TARGET_HOURS)]


class Target(Frozen):
    """Business-hour targets for the tickets of some kinds and priorities (left out: any); null: none."""

    kinds: tuple[FeedbackKind, ...] = ()
    priorities: tuple[Priority, ...] = ()
    first_response_hours: TargetHours | None = None
    next_response_hours: TargetHours | None = None
    resolution_hours: TargetHours | None = None

    def matches(self, priority: Priority, kind: FeedbackKind) -> bool:
        return (not self.kinds or kind in self.kinds) and (not self.priorities or priority in self.priorities)


class EscalationStep(Frozen):
    notify: str = Field(pattern=NAME, description="who is told: a person, a role or a subscription")
    after_hours: float = Field(
        default=0, ge=0, le=MAX_TARGET_HOURS, description="business hours after breach"
    )


class SlaPolicy(Frozen):
    """Targets per kind and priority in business hours of a calendar, a warning share, an escalation."""

    name: str = Field(pattern=NAME)
    calendar: str = Field(default=DEFAULT_CALENDAR, pattern=NAME)
    warn_share: float | None = Field(
        default=0.8, gt=0, lt=1, description="warn when this share of a target has passed; null: never"
    )
    targets: tuple[Target, ...] = Field(max_length=100, description="at least one; the first that matches")
    escalation: tuple[EscalationStep, ...] = Field(default=(), max_length=10)

    def target_for(self, priority: Priority, kind: FeedbackKind) -> Target | None:
        """The first entry that matches; None only for a policy built in code that leaves a ticket out."""
        return next((target for target in self.targets if target.matches(priority, kind)), None)


# Today's routing.sla (24 hours to answer, 12 for questions and chats), as business hours. Resolution:
# three working days of the default calendar (9 hours each) for questions and chats, a working week for
# the rest, which leaves a complaint's investigation the time a marketplace's own claims take.
STANDARD = SlaPolicy(
    name="standard",
    calendar=DEFAULT_CALENDAR,
    targets=(
        Target(
            kinds=("question", "chat"), first_response_hours=12, next_response_hours=12, resolution_hours=27
        ),
        Target(first_response_hours=24, next_response_hours=24, resolution_hours=45),
    ),
)


class SlaSettings(Frozen):
    default_policy: str = Field(default="standard", pattern=NAME, description="for tickets no rule gives one")
    calendars: tuple[CalendarSettings, ...] = Field(
        default=(CalendarSettings(name=DEFAULT_CALENDAR),), max_length=50
    )
    policies: tuple[SlaPolicy, ...] = Field(default=(STANDARD,), max_length=50)

    def policy(self, name: str | None = None) -> SlaPolicy:
        """The policy of that name (the default policy without one); UnknownName otherwise."""
        wanted = name or self.default_policy
        for policy in self.policies:
            if policy.name == wanted:
                return policy
        names = ", ".join(policy.name for policy in self.policies)
        raise UnknownName(f"unknown policy {wanted!r}; policies are {names}")

    def calendar(self, name: str) -> BusinessCalendar:
        """The business calendar of that name; UnknownName otherwise."""
        for calendar in self.calendars:
            if calendar.name == name:
                return calendar.business_calendar()
        names = ", ".join(calendar.name for calendar in self.calendars)
        raise UnknownName(f"unknown calendar {name!r}; calendars are {names}")


NO_SLA_SETTINGS = SlaSettings()


# ------------------------------------------------------------------ checks on the raw document


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list | tuple):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def _defined(
    entries: list[tuple[int, dict[str, Any]]], what: str, path: str, problems: list[str]
) -> list[str]:
    """The names entries define, each once; a second definition is a problem."""
    names: list[str] = []
    for index, entry in entries:
        name = entry.get("name")
        if not isinstance(name, str):
            continue
        if name in names:
            problems.append(f"{path}[{index}].name: {what} {name!r} is defined twice")
        else:
            names.append(name)
    return names


def _choices(value: Any, known: tuple[str, ...]) -> frozenset[str] | None:
    """A target's kinds or priorities as a set ({} for any); None when the entry's own check refuses it."""
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        return None
    chosen = frozenset(value)
    return chosen if chosen <= set(known) else None


def _covers(
    general: tuple[frozenset[str], frozenset[str]], narrow: tuple[frozenset[str], frozenset[str]]
) -> bool:
    return all(not wide or (item and item <= wide) for wide, item in zip(general, narrow, strict=True))


def _target_problems(path: str, targets: Any) -> list[str]:
    if isinstance(targets, list | tuple) and not targets:
        return [f"{path}: at least one entry is needed"]
    problems: list[str] = []
    read: list[tuple[int, tuple[frozenset[str], frozenset[str]]]] = []
    for index, entry in _entries(targets):
        kinds, priorities = _choices(entry.get("kinds"), KINDS), _choices(entry.get("priorities"), PRIORITIES)
        if kinds is None or priorities is None:
            return problems  # the entry's own field errors come first; order checks need every entry
        earlier = next((before for before, scope in read if _covers(scope, (kinds, priorities))), None)
        if earlier is not None:
            problems.append(
                f"{path}[{index}]: never used: {path.rsplit('.', 1)[-1]}[{earlier}] above it takes "
                "every ticket it would (the first entry that matches applies)"
            )
        read.append((index, (kinds, priorities)))
    if not read or len(read) != len(targets):
        return problems
    for kind in KINDS:
        for priority in PRIORITIES:
            if not any(
                (not kinds or kind in kinds) and (not priorities or priority in priorities)
                for _, (kinds, priorities) in read
            ):
                problems.append(
                    f"{path}: no entry takes {priority} {kind}s; end the list with an entry "
                    "without kinds and priorities to catch the rest"
                )
                return problems
    return problems


def _escalation_problems(path: str, steps: Any) -> list[str]:
    problems: list[str] = []
    previous: float | None = None
    for index, step in _entries(steps):
        hours = step.get("after_hours", 0)
        if not isinstance(hours, int | float) or isinstance(hours, bool):
            return problems
        if previous is not None and hours < previous:
            problems.append(
                f"{path}[{index}].after_hours: {hours:g} comes before the step above it ({previous:g}); "
                "list the steps in the order they fire"
            )
        previous = max(hours, previous) if previous is not None else hours
    return problems


def _calendar_problems(index: int, calendar: dict[str, Any]) -> list[str]:
    days_off = calendar.get("days_off")
    working = calendar.get("working_days")
    if not isinstance(days_off, list | tuple) or not isinstance(working, list | tuple):
        return []
    resting = {str(day): offset for offset, day in enumerate(days_off)}
    return [
        f"sla.calendars[{index}].working_days[{offset}]: {day} is also in days_off[{resting[str(day)]}]"
        for offset, day in enumerate(working)
        if str(day) in resting
    ]


def sla_reference_problems(document: Any) -> list[str]:
    """What refers to what in a raw document's `sla` section, each problem by its path."""
    section = document.get("sla") if isinstance(document, dict) else None
    if not isinstance(section, dict):
        return []
    problems: list[str] = []
    if "calendars" in section:
        calendars = _entries(section["calendars"])
        if isinstance(section["calendars"], list | tuple) and not section["calendars"]:
            problems.append("sla.calendars: at least one calendar is needed")
    else:
        calendars = [(0, {"name": calendar.name}) for calendar in NO_SLA_SETTINGS.calendars]
    calendar_names = _defined(calendars, "calendar", "sla.calendars", problems)
    for index, calendar in calendars:
        problems.extend(_calendar_problems(index, calendar))
    if "policies" in section:
        policies = _entries(section["policies"])
        if isinstance(section["policies"], list | tuple) and not section["policies"]:
            problems.append("sla.policies: at least one policy is needed")
    else:
        # Left out: the built-in policies, checked as if spelt out (as the sample document does), so the
        # problem reads the same whichever way the document came.
        policies = [
            (index, {"name": policy.name, "calendar": policy.calendar})
            for index, policy in enumerate(NO_SLA_SETTINGS.policies)
        ]
    policy_names = _defined(policies, "policy", "sla.policies", problems)
    for index, policy in policies:
        path = f"sla.policies[{index}]"
        calendar = policy.get("calendar", DEFAULT_CALENDAR)
        if isinstance(calendar, str) and calendar_names and calendar not in calendar_names:
            problems.append(
                f"{path}.calendar: unknown calendar {calendar!r}; calendars are {', '.join(calendar_names)}"
            )
        if "targets" in policy:
            problems.extend(_target_problems(f"{path}.targets", policy["targets"]))
        problems.extend(_escalation_problems(f"{path}.escalation", policy.get("escalation")))
    default = section.get("default_policy", NO_SLA_SETTINGS.default_policy)
    if isinstance(default, str) and policy_names and default not in policy_names:
        problems.append(
            f"sla.default_policy: unknown policy {default!r}; policies are {', '.join(policy_names)}"
        )
    return problems
