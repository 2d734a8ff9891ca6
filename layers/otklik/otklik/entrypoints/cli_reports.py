"""`otklik reports build`: build a period's report now (again, for a past one: the same numbers).

    otklik reports build --period day --key 2026-11-22                 # the local stack (make run)
    otklik reports build --period week --key 2026-W48 --stack-url URL  # another local stack
    otklik reports build --period month --key 2026-11 --function NAME  # a deployed stack (AWS credentials)

On the local stack it fires BuildReportsFunction's schedule with the period (POST
/_local/schedules/BuildReportsFunction); on AWS it invokes the function (the stack's
BuildReportsFunctionName output) with the same event. Prints the report built and where to read it
(GET /reports/<id>). Bad input or a stack that cannot be reached: exit 2 with one line saying why.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from otklik.domain.aggregates import PeriodError
from otklik.domain.reports import ReportPeriod

LOCAL_STACK = "http://127.0.0.1:3000"


def add_parser(commands: Any) -> None:
    """Register `reports` (build) on the command line's subcommands."""
    reports = commands.add_parser("reports", help="scheduled reports: build one now")
    report_commands = reports.add_subparsers(dest="reports_command", required=True)
    builder = report_commands.add_parser(
        "build", help="build (or build again) the report of a day, ISO week or month"
    )
    builder.add_argument("--period", required=True, choices=("day", "week", "month"))
    builder.add_argument("--key", required=True, help="2026-11-22, 2026-W48 or 2026-11")
    where = builder.add_mutually_exclusive_group()
    where.add_argument(
        "--stack-url",
        help=f"a local stack's API (default: $OTKLIK_STACK_URL or {LOCAL_STACK})",
    )
    where.add_argument(
        "--function", help="a deployed stack's BuildReportsFunctionName (uses AWS credentials)"
    )


def _on_local_stack(url: str, detail: dict[str, str]) -> dict[str, Any]:
    from otklik.adapters.http import HttpClient, HttpError

    try:
        answer = HttpClient(timeout_seconds=120, attempts=1).post_json(
            f"{url.rstrip('/')}/_local/schedules/BuildReportsFunction", detail
        )
    except HttpError as error:
        raise RuntimeError(f"the local stack at {url} did not build it: {error.summary}") from None
    result = answer.json()  # what the function returned
    return result if isinstance(result, dict) else {}


def _on_aws(function: str, detail: dict[str, str]) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from otklik.adapters import aws

    try:
        answer = aws.client("lambda", attempts=1).invoke(
            FunctionName=function, Payload=json.dumps({"detail": detail}).encode()
        )
    except (BotoCoreError, ClientError) as error:
        raise RuntimeError(f"could not invoke {function}: {error}") from None
    payload = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError"):
        raise RuntimeError(f"{function} failed: {payload.get('errorMessage', 'see its logs')}")
    return payload if isinstance(payload, dict) else {}


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run `reports build`: 0 with the report's id printed; 2 with one line on err otherwise."""
    try:
        period = ReportPeriod.of(args.period, args.key)
    except PeriodError as error:
        err.write(f"otklik: --key: {error}\n")
        return 2
    detail = {"period": period.kind, "key": period.key}
    try:
        if args.function:
            result = _on_aws(args.function, detail)
        else:
            result = _on_local_stack(
                args.stack_url or os.environ.get("OTKLIK_STACK_URL") or LOCAL_STACK, detail
            )
    except RuntimeError as failure:
        err.write(f"otklik: {failure}\n")
        return 2
    if result.get("error") or period.id not in result.get("reports", []):
        err.write(f"otklik: {period.id} was not built: {result.get('error') or result}\n")
        return 2
    out.write(f"built {period.id}: GET /reports/{period.id}\n")
    return 0
