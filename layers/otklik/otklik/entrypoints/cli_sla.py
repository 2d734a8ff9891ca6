"""`otklik sla due`: the moment N business hours after a feedback was received, under a policy's calendar.

    otklik sla due --received 2026-12-30T17:30:00+03:00 --hours 24 [--policy NAME] [--config FILE]

prints the due time as ISO 8601 in the calendar's time zone (2027-01-13T14:30:00+03:00), counting only the
working periods of the policy's calendar: by default Monday to Friday 09:00-18:00 in Europe/Moscow, without
the holidays and with the worked Saturdays of the Russian production calendar. A time without a zone is
read in the calendar's zone. Bad input: exit 2 with one line saying what is wrong.
"""

from __future__ import annotations

import argparse
import math
from datetime import datetime
from typing import Any, TextIO

from otklik.entrypoints.cli_input import config_from

# More than a century of an ordinary calendar's working time: a larger number is a mistake.
MAX_HOURS = 1_000_000


def add_parser(commands: Any) -> None:
    """Register `sla` (due) on the command line's subcommands."""
    sla = commands.add_parser("sla", help="deadlines in business hours of a policy's calendar")
    sla_commands = sla.add_subparsers(dest="sla_command", required=True)
    due = sla_commands.add_parser(
        "due", help="print the moment N business hours after --received (ISO 8601, the calendar's zone)"
    )
    due.add_argument(
        "--received",
        required=True,
        metavar="ISO8601",
        help="when the feedback was received, e.g. 2026-12-30T17:30:00+03:00 (no zone: the calendar's)",
    )
    due.add_argument("--hours", required=True, metavar="N", help="business hours, e.g. 24 or 1.5")
    due.add_argument(
        "--policy", metavar="NAME", help="the SLA policy whose calendar counts (default: sla.default_policy)"
    )
    due.add_argument(
        "--config", metavar="FILE", help="a configuration document (default: the built-in defaults)"
    )


def _hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise ValueError(f"--hours: {text!r} is not a number of hours") from None
    if not math.isfinite(hours) or hours < 0 or hours > MAX_HOURS:
        raise ValueError(f"--hours: {text} is not a number of hours from 0 to {MAX_HOURS}")
    return hours


def _received(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--received: {text!r} is not an ISO 8601 date and time, e.g. 2026-12-30T17:30:00+03:00"
        ) from None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run `sla due`: 0 with the due time printed, 2 with one line on err for bad input or configuration."""
    from otklik.domain.config import DEFAULT_CONFIG
    from otklik.domain.sla import NoWorkingTime, UnknownName, add_business_hours

    config = config_from(args.config, err) if args.config else DEFAULT_CONFIG
    if config is None:
        return 2
    try:
        received, hours = _received(args.received), _hours(args.hours)
        policy = config.sla.policy(args.policy)
        calendar = config.sla.calendar(policy.calendar)
        if received.utcoffset() is None:
            received = received.replace(tzinfo=calendar.time_zone)
        due = add_business_hours(received, hours, calendar)
    except UnknownName as unknown:
        err.write(f"otklik: --policy: {unknown}\n")
        return 2
    except (ValueError, NoWorkingTime, OverflowError) as problem:
        err.write(f"otklik: {problem}\n")
        return 2
    out.write(due.isoformat() + "\n")
    return 0
