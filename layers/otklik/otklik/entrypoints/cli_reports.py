"""`otklik reports build`: build a period's report now (again, for a past one: the same numbers).

    otklik reports build --period day --key 2026-11-22                 # the local stack (make run)
    otklik reports build --period week --key 2026-W48 --stack-url URL  # another local stack
    otklik reports build --period month --key 2026-11 --function NAME  # a deployed stack (AWS credentials)

On the local stack it fires BuildReportsFunction's schedule with the period (POST
/_local/schedules/BuildReportsFunction); on AWS it invokes the function (the stack's
BuildReportsFunctionName output) with the same event. Prints the report built and where to read it
(GET /reports/<id>). Bad input or a failed build: exit 2 with one line saying why; a stack that cannot
be reached: exit 1 with one line.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any, TextIO

from otklik.domain.aggregates import PeriodError
from otklik.domain.reports import ReportPeriod
from otklik.entrypoints.cli_api import CommandError, run_function, stack_options
from otklik.entrypoints.cli_progress import Waiting

TIMEOUT_SECONDS = 120.0


def add_parser(commands: Any) -> None:
    """Register `reports` (build) on the command line's subcommands."""
    reports = commands.add_parser("reports", help="scheduled reports: build one now")
    report_commands = reports.add_subparsers(dest="reports_command", required=True)
    builder = report_commands.add_parser(
        "build", help="build (or build again) the report of a day, ISO week or month"
    )
    builder.add_argument("--period", required=True, choices=("day", "week", "month"))
    builder.add_argument("--key", required=True, help="2026-11-22, 2026-W48 or 2026-11")
    stack_options(builder, "BuildReportsFunctionName")


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """Run `reports build`: 0 with the report's id printed; 2 with one line on err otherwise (1 when the
    stack cannot be reached)."""
    environ = os.environ if environ is None else environ
    try:
        period = ReportPeriod.of(args.period, args.key)
    except PeriodError as error:
        err.write(f"otklik: --key: {error}\n")
        return 2
    detail = {"period": period.kind, "key": period.key}
    try:
        with Waiting("reports build: waiting for BuildReportsFunction", err):
            result = run_function("BuildReportsFunction", detail, args, environ, TIMEOUT_SECONDS)
    except CommandError as failure:
        err.write(f"otklik: {failure.message}\n")
        return failure.status
    if result.get("error") or period.id not in result.get("reports", []):
        err.write(f"otklik: {period.id} was not built: {result.get('error') or result}\n")
        return 2
    out.write(f"built {period.id}: GET /reports/{period.id}\n")
    return 0
