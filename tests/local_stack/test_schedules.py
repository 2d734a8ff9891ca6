"""Schedule expressions (rate, cron, at), scheduled events, and the scheduler thread."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from infra.local.schedules import (
    Schedule,
    ScheduleExpressionError,
    Scheduler,
    parse_schedule,
)

pytestmark = pytest.mark.unit

FRIDAY_10 = datetime(2026, 11, 20, 10, 7, 30, tzinfo=UTC)  # a Friday


def test_rate_fires_one_period_after_the_last_fire() -> None:
    # Given rate expressions in each unit
    # When asked for the next fire after a moment
    # Then it is one period later
    assert parse_schedule("rate(5 minutes)").next_fire(FRIDAY_10) == FRIDAY_10 + timedelta(minutes=5)
    assert parse_schedule("rate(1 hour)").next_fire(FRIDAY_10) == FRIDAY_10 + timedelta(hours=1)
    assert parse_schedule("rate(2 days)").next_fire(FRIDAY_10) == FRIDAY_10 + timedelta(days=2)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(1 minutes)", "rate\\(1 minute\\)"),
        ("rate(5 minute)", "rate\\(N minutes\\)"),
        ("rate(0 hours)", "positive"),
        ("rate(3 weeks)", "minute\\(s\\), hour\\(s\\) or day\\(s\\)"),
        ("every 5 minutes", "expected rate"),
    ],
)
def test_rate_expressions_aws_rejects_are_rejected(expression: str, message: str) -> None:
    with pytest.raises(ScheduleExpressionError, match=message):
        parse_schedule(expression)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", FRIDAY_10, datetime(2026, 11, 20, 12, 0, tzinfo=UTC)),
        (
            "cron(0 12 * * ? *)",
            datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
            datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
        ),
        ("cron(0/15 * * * ? *)", FRIDAY_10, datetime(2026, 11, 20, 10, 15, tzinfo=UTC)),
        ("cron(5,35 8-9 * * ? *)", FRIDAY_10, datetime(2026, 11, 21, 8, 5, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", FRIDAY_10, datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        ("cron(0 9 ? * 1 *)", FRIDAY_10, datetime(2026, 11, 22, 9, 0, tzinfo=UTC)),  # 1 is Sunday
        ("cron(0 0 1 JAN ? *)", FRIDAY_10, datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("cron(30 23 31 * ? *)", FRIDAY_10, datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
        ("cron(0 6 29 2 ? 2027-2030)", FRIDAY_10, datetime(2028, 2, 29, 6, 0, tzinfo=UTC)),
        ("cron(0 0 1 1 ? 2020)", FRIDAY_10, None),
    ],
)
def test_cron_next_fire_is_the_first_matching_minute_after(
    expression: str, after: datetime, expected: datetime | None
) -> None:
    # Given an AWS cron expression, When asked for the next fire after a moment, Then it is the next match
    assert parse_schedule(expression).next_fire(after) == expected


def test_cron_is_read_in_the_schedule_time_zone() -> None:
    # Given 09:00 every day in Moscow (UTC+3)
    expression = parse_schedule("cron(0 9 * * ? *)", "Europe/Moscow")

    # When asked after 07:00 UTC (10:00 in Moscow)
    fire = expression.next_fire(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))

    # Then it fires at 06:00 UTC the next day
    assert fire == datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 12 L * ? *)", "L, W and # are not supported"),
        ("cron(0 12 15W * ? *)", "L, W and # are not supported"),
        ("cron(0 12 ? * 2#1 *)", "L, W and # are not supported"),
        ("cron(0 12 * * MON *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 12 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 12 * * ?)", "6 fields"),
        ("cron(61 * * * ? *)", "outside minutes 0-59"),
        ("cron(0 10-8 * * ? *)", "runs backwards"),
        ("cron(0 12 * FOO ? *)", "not a valid month"),
    ],
)
def test_unsupported_or_invalid_cron_is_a_clear_error(expression: str, message: str) -> None:
    with pytest.raises(ScheduleExpressionError, match=message):
        parse_schedule(expression)


def test_at_fires_once() -> None:
    # Given a one-time schedule
    expression = parse_schedule("at(2026-11-20T12:30:00)")

    # Then it fires at that time, and never after it
    assert expression.next_fire(FRIDAY_10) == datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
    assert expression.next_fire(datetime(2026, 11, 20, 12, 30, tzinfo=UTC)) is None


def _schedule(source: str = "aws.scheduler", schedule_input: str | None = None) -> Schedule:
    return Schedule(
        name="TickFunction.Daily",
        function_id="TickFunction",
        expression=parse_schedule("rate(1 minute)"),
        source=source,
        resource_arn="arn:aws:scheduler:us-east-1:123456789012:schedule/default/tick",
        input=schedule_input,
    )


def test_scheduled_event_has_the_eventbridge_shape() -> None:
    # Given a ScheduleV2 schedule without Input
    # When its event is built
    event = _schedule().event(FRIDAY_10, account_id="123456789012", region="eu-west-1")

    # Then it is the Scheduled Event EventBridge sends
    assert event["version"] == "0"
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.scheduler"
    assert event["account"] == "123456789012"
    assert event["region"] == "eu-west-1"
    assert event["time"] == "2026-11-20T10:07:30Z"
    assert event["resources"] == ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/tick"]
    assert event["detail"] == {}
    assert len(event["id"]) == 36


def test_scheduled_event_is_the_input_when_given() -> None:
    event = _schedule(schedule_input='{"job": "sweep"}').event(FRIDAY_10, account_id="1", region="r")
    assert event == {"job": "sweep"}


class RecordingRuntime:
    """Stands in for LambdaRuntime: records invocations."""

    def __init__(self) -> None:
        self.template = SimpleNamespace(account_id="123456789012", region="us-east-1")
        self.events: list[tuple[str, Any]] = []
        self.invoked = threading.Event()

    def invoke(self, function_id: str, event: Any) -> Any:
        self.events.append((function_id, event))
        self.invoked.set()
        return {"ok": True}


def test_scheduler_fires_a_schedule_when_it_is_due() -> None:
    # Given a scheduler whose clock reads a minute past the schedule's first fire time
    now = [FRIDAY_10]
    runtime = RecordingRuntime()
    scheduler = Scheduler(runtime, [_schedule()], clock=lambda: now[0], check_interval=0.01)  # type: ignore[arg-type]
    scheduler.start()
    try:
        # When the clock moves past the due time
        now[0] = FRIDAY_10 + timedelta(minutes=1, seconds=1)

        # Then the function is invoked with the event of the due time, and the next fire is a minute later
        assert runtime.invoked.wait(5)
    finally:
        scheduler.stop()
    function_id, event = runtime.events[0]
    assert function_id == "TickFunction"
    assert event["time"] == "2026-11-20T10:08:30Z"
    assert scheduler.next_fire_times()["TickFunction.Daily"] == FRIDAY_10 + timedelta(minutes=2)


def test_fire_invokes_now_and_returns_the_result() -> None:
    runtime = RecordingRuntime()
    scheduler = Scheduler(runtime, [_schedule()], clock=lambda: FRIDAY_10)  # type: ignore[arg-type]

    assert scheduler.fire("TickFunction") == {"ok": True}
    assert runtime.events[0][1]["time"] == "2026-11-20T10:07:30Z"
