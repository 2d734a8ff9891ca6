"""Schedules: rate(), cron() and at() expressions, and a thread that fires functions when they are due."""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from infra.local.resources import FUNCTION_TYPES, LocalResources
from infra.local.runtime import FunctionError, LambdaRuntime
from infra.local.template import Template, TemplateError

logger = logging.getLogger(__name__)


class ScheduleExpressionError(ValueError):
    """A schedule expression AWS would reject, or one the local stack does not support."""


class ScheduleExpression(Protocol):
    @property
    def text(self) -> str:
        """The expression as written."""
        ...

    def next_fire(self, after: datetime) -> datetime | None:
        """The first fire time strictly after `after` (UTC), or None when it never fires again."""
        ...


# ---------------------------------------------------------------- rate() and at()

_RATE = re.compile(r"rate\(\s*(\d+)\s+([a-z]+)\s*\)")
_RATE_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class RateExpression:
    """rate(N unit): every N minutes, hours or days, counted from when the schedule starts."""

    text: str
    period: timedelta

    def next_fire(self, after: datetime) -> datetime | None:
        return after + self.period


@dataclass(frozen=True)
class AtExpression:
    """at(yyyy-mm-ddThh:mm:ss): once (EventBridge Scheduler one-time schedules)."""

    text: str
    when: datetime

    def next_fire(self, after: datetime) -> datetime | None:
        return self.when if self.when > after else None


def _parse_rate(text: str) -> RateExpression:
    match = _RATE.fullmatch(text)
    if match is None:
        raise ScheduleExpressionError(f"{text!r}: expected rate(<number> <minute(s)|hour(s)|day(s)>)")
    value, unit = int(match.group(1)), match.group(2)
    singular = unit.removesuffix("s")
    if singular not in _RATE_UNITS:
        raise ScheduleExpressionError(f"{text!r}: the unit must be minute(s), hour(s) or day(s)")
    if value < 1:
        raise ScheduleExpressionError(f"{text!r}: the rate must be a positive number")
    if (value == 1) != (unit == singular):
        raise ScheduleExpressionError(f"{text!r}: AWS wants rate(1 {singular}) and rate(N {singular}s)")
    return RateExpression(text, _RATE_UNITS[singular] * value)


def _parse_at(text: str, zone: tzinfo) -> AtExpression:
    try:
        when = datetime.strptime(text[3:-1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=zone)
    except ValueError:
        raise ScheduleExpressionError(f"{text!r}: expected at(yyyy-mm-ddThh:mm:ss)") from None
    return AtExpression(text, when.astimezone(UTC))


# ---------------------------------------------------------------- cron()

_MONTHS = {name.upper(): number for number, name in enumerate(calendar.month_abbr) if name}
_DAYS = {
    name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)
}


@dataclass(frozen=True)
class _CronField:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _CronField("minutes", 0, 59, {}),
    _CronField("hours", 0, 23, {}),
    _CronField("day-of-month", 1, 31, {}),
    _CronField("month", 1, 12, _MONTHS),
    _CronField("day-of-week", 1, 7, _DAYS),
    _CronField("year", 1970, 2199, {}),
)


@dataclass(frozen=True)
class CronExpression:
    """cron(minutes hours day-of-month month day-of-week year), AWS flavour: day-of-week 1-7 is SUN-SAT."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: tuple[int, ...] | None
    months: tuple[int, ...]
    days_of_week: tuple[int, ...] | None
    years: tuple[int, ...]
    zone: tzinfo = UTC

    def next_fire(self, after: datetime) -> datetime | None:
        start = after.astimezone(self.zone).replace(tzinfo=None, second=0, microsecond=0) + timedelta(
            minutes=1
        )
        for year in (y for y in self.years if y >= start.year):
            first_month = start.month if year == start.year else 1
            for month in (m for m in self.months if m >= first_month):
                same_month = (year, month) == (start.year, start.month)
                first_day = start.day if same_month else 1
                for day in range(first_day, calendar.monthrange(year, month)[1] + 1):
                    if not self._day_matches(year, month, day):
                        continue
                    same_day = same_month and day == start.day
                    for hour in (h for h in self.hours if not same_day or h >= start.hour):
                        same_hour = same_day and hour == start.hour
                        for minute in (m for m in self.minutes if not same_hour or m >= start.minute):
                            return datetime(year, month, day, hour, minute, tzinfo=self.zone).astimezone(UTC)
        return None

    def _day_matches(self, year: int, month: int, day: int) -> bool:
        if self.days_of_month is not None:
            return day in self.days_of_month
        weekday = (calendar.weekday(year, month, day) + 1) % 7 + 1  # Monday=0 in Python; SUN=1 in AWS
        return self.days_of_week is not None and weekday in self.days_of_week


def _parse_cron(text: str, zone: tzinfo) -> CronExpression:
    fields = text[len("cron(") : -1].split()
    if len(fields) != 6:
        raise ScheduleExpressionError(
            f"{text!r}: AWS cron has 6 fields (minutes hours day-of-month month day-of-week year), "
            f"got {len(fields)}"
        )
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleExpressionError(f"{text!r}: exactly one of day-of-month and day-of-week must be '?'")
    values = [_parse_cron_field(text, field, spec) for field, spec in zip(fields, _FIELDS, strict=True)]
    minutes, hours, days_of_month, months, days_of_week, years = values
    if minutes is None or hours is None or months is None or years is None:
        raise ScheduleExpressionError(f"{text!r}: '?' is only allowed in day-of-month or day-of-week")
    return CronExpression(text, minutes, hours, days_of_month, months, days_of_week, years, zone)


def _parse_cron_field(text: str, field: str, spec: _CronField) -> tuple[int, ...] | None:
    if field == "?":
        return None
    values: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = _cron_number(text, step_text, spec, allow_names=False) if step_text else 1
        if step < 1:
            raise ScheduleExpressionError(f"{text!r}: the step in {spec.name} must be positive")
        if base == "*":
            start, end = spec.low, spec.high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _cron_number(text, first, spec), _cron_number(text, last, spec)
        else:
            start = _cron_number(text, base, spec)
            end = spec.high if step_text else start
        if start > end:
            raise ScheduleExpressionError(f"{text!r}: the range {base} in {spec.name} runs backwards")
        for value in (start, end):
            if not spec.low <= value <= spec.high:
                raise ScheduleExpressionError(
                    f"{text!r}: {value} is outside {spec.name} {spec.low}-{spec.high}"
                )
        values.update(range(start, end + 1, step))
    return tuple(sorted(values))


def _cron_number(text: str, token: str, spec: _CronField, *, allow_names: bool = True) -> int:
    upper = token.upper()
    if allow_names and upper in spec.names:
        return spec.names[upper]
    if token.isdigit():
        return int(token)
    if any(symbol in upper for symbol in "LW#"):
        raise ScheduleExpressionError(
            f"{text!r}: L, W and # are not supported in local cron expressions ({spec.name} {token!r})"
        )
    raise ScheduleExpressionError(f"{text!r}: {token!r} is not a valid {spec.name} value")


def parse_schedule(expression: str, timezone: str | None = None) -> ScheduleExpression:
    """Parse rate(...), cron(...) or at(...); cron and at are read in timezone (IANA name, default UTC)."""
    text = expression.strip()
    try:
        zone: tzinfo = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleExpressionError(f"unknown time zone {timezone!r}") from None
    if text.startswith("rate(") and text.endswith(")"):
        return _parse_rate(text)
    if text.startswith("cron(") and text.endswith(")"):
        return _parse_cron(text, zone)
    if text.startswith("at(") and text.endswith(")"):
        return _parse_at(text, zone)
    raise ScheduleExpressionError(f"{expression!r}: expected rate(...), cron(...) or at(...)")


# ---------------------------------------------------------------- the template's schedules


@dataclass(frozen=True)
class Schedule:
    """One schedule that invokes one function."""

    name: str
    function_id: str
    expression: ScheduleExpression
    source: str
    resource_arn: str
    input: str | None = None
    enabled: bool = True

    def event(self, fired_at: datetime, *, account_id: str, region: str) -> Any:
        """What the function receives: the schedule's Input if it has one, else a Scheduled Event."""
        if self.input is not None:
            return json.loads(self.input)
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": self.source,
            "account": account_id,
            "time": fired_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region,
            "resources": [self.resource_arn],
            "detail": {},
        }

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "function": self.function_id, "expression": self.expression.text}


def collect_schedules(template: Template, resources: LocalResources) -> list[Schedule]:
    """Schedule and ScheduleV2 events, and the targets of AWS::Scheduler::Schedule and AWS::Events::Rule."""
    partition, region, account = template.partition, template.region, template.account_id
    schedules: list[Schedule] = []
    for spec in template.functions():
        for event in spec.events_of_type("Schedule", "ScheduleV2"):
            props = template.resolve(event.properties, resources) or {}
            v2 = event.type == "ScheduleV2"
            expression = props.get("ScheduleExpression" if v2 else "Schedule")
            if not isinstance(expression, str):
                raise TemplateError(f"{spec.logical_id}.{event.name}: no schedule expression")
            name = props.get("Name") or f"{template.stack_name}-{spec.logical_id}{event.name}"
            group = props.get("GroupName", "default")
            arn = (
                f"arn:{partition}:scheduler:{region}:{account}:schedule/{group}/{name}"
                if v2
                else f"arn:{partition}:events:{region}:{account}:rule/{name}"
            )
            schedules.append(
                Schedule(
                    name=f"{spec.logical_id}.{event.name}",
                    function_id=spec.logical_id,
                    expression=_expression(props, expression, f"{spec.logical_id}.{event.name}"),
                    source="aws.scheduler" if v2 else "aws.events",
                    resource_arn=arn,
                    input=_input(props.get("Input")),
                    enabled=_enabled(props),
                )
            )
    schedules.extend(_resource_schedules(template, resources))
    return schedules


def _resource_schedules(template: Template, resources: LocalResources) -> list[Schedule]:
    schedules: list[Schedule] = []
    for logical_id in template.resources_of_type("AWS::Scheduler::Schedule", "AWS::Events::Rule"):
        props = template.resolve(template.properties(logical_id), resources) or {}
        expression = props.get("ScheduleExpression")
        if not isinstance(expression, str):
            continue  # an event-pattern rule: not a schedule
        v2 = template.resource_type(logical_id) == "AWS::Scheduler::Schedule"
        targets = [props.get("Target") or {}] if v2 else props.get("Targets") or []
        for target in targets:
            record = resources.by_arn(str(target.get("Arn")))
            if record is None or record.type not in FUNCTION_TYPES:
                logger.warning(
                    "%s: target %s is not a local function; not scheduled", logical_id, target.get("Arn")
                )
                continue
            schedules.append(
                Schedule(
                    name=logical_id,
                    function_id=record.logical_id,
                    expression=_expression(props, expression, logical_id),
                    source="aws.scheduler" if v2 else "aws.events",
                    resource_arn=resources.arn(logical_id),
                    input=_input(target.get("Input")),
                    enabled=_enabled(props),
                )
            )
    return schedules


def _expression(props: dict[str, Any], expression: str, where: str) -> ScheduleExpression:
    try:
        return parse_schedule(expression, props.get("ScheduleExpressionTimezone"))
    except ScheduleExpressionError as error:
        raise TemplateError(f"{where}: {error}") from error


def _input(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(f"schedule Input is not JSON: {text!r}") from error
    return text


def _enabled(props: dict[str, Any]) -> bool:
    if props.get("Enabled") is False or str(props.get("Enabled")).lower() == "false":
        return False
    return str(props.get("State", "ENABLED")).upper() != "DISABLED"


# ---------------------------------------------------------------- firing


class NoScheduleError(LookupError):
    """The function has no schedule (or no schedule with that name)."""


class Scheduler:
    """Fires each enabled schedule when it is due, on a thread; `fire` fires one now."""

    def __init__(
        self,
        runtime: LambdaRuntime,
        schedules: list[Schedule],
        *,
        clock: Callable[[], datetime] | None = None,
        check_interval: float = 1.0,
    ) -> None:
        self.runtime = runtime
        self.schedules = schedules
        self._clock = clock or (lambda: datetime.now(UTC))
        self._check_interval = check_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next: dict[str, datetime | None] = {}

    def schedules_for(self, function_id: str) -> list[Schedule]:
        return [schedule for schedule in self.schedules if schedule.function_id == function_id]

    def fire(
        self, function_id: str, schedule_name: str | None = None, detail: dict[str, Any] | None = None
    ) -> Any:
        """Invoke the function with its schedule's event now and return what it returned.

        schedule_name picks one of several schedules: the event name or the full "Function.Event" name.
        Raises NoScheduleError, or FunctionError when the function fails.
        """
        candidates = self.schedules_for(function_id)
        if schedule_name is not None:
            candidates = [s for s in candidates if schedule_name in (s.name, s.name.partition(".")[2])]
        if not candidates:
            raise NoScheduleError(
                f"{function_id} has no schedule" + (f" {schedule_name}" if schedule_name else "")
            )
        return self._fire(candidates[0], self._clock(), detail)

    def _fire(self, schedule: Schedule, fired_at: datetime, detail: dict[str, Any] | None = None) -> Any:
        event = schedule.event(
            fired_at, account_id=self.runtime.template.account_id, region=self.runtime.template.region
        )
        if detail is not None and isinstance(event, dict):
            event["detail"] = {**event.get("detail", {}), **detail}
        started = time.monotonic()
        result = self.runtime.invoke(schedule.function_id, event)
        logger.info("%s fired (%s): ok in %.0f ms", schedule.name, schedule.expression.text, _ms(started))
        return result

    def start(self) -> None:
        now = self._clock()
        self._next = {s.name: s.expression.next_fire(now) for s in self.schedules if s.enabled}
        if not self._next:
            return
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def next_fire_times(self) -> dict[str, datetime | None]:
        return dict(self._next)

    def _run(self) -> None:
        by_name = {schedule.name: schedule for schedule in self.schedules}
        while not self._stop.is_set():
            pending = {name: due for name, due in self._next.items() if due is not None}
            if not pending:
                self._stop.wait()
                return
            name = min(pending, key=lambda key: pending[key])
            due = pending[name]
            delay = (due - self._clock()).total_seconds()
            if delay > 0:
                self._stop.wait(min(delay, self._check_interval))
                continue
            schedule = by_name[name]
            try:
                self._fire(schedule, due)
            except FunctionError as error:
                error.log(logger, "%s fired and %s failed", schedule.name, schedule.function_id)
            self._next[name] = self._following(schedule, due)

    def _following(self, schedule: Schedule, due: datetime) -> datetime | None:
        """The next fire time after due, skipping those already past (the function ran long)."""
        now = self._clock()
        following = schedule.expression.next_fire(due)
        while following is not None and following <= now:
            following = schedule.expression.next_fire(following)
        return following


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
