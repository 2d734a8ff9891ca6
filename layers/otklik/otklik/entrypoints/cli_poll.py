"""`otklik poll` and `otklik backfill`: read the marketplaces now.

    otklik poll --force                     # the local stack (make run): every enabled connection now
    otklik poll --stack-url URL             # another local stack; without --force only the due ones
    otklik poll --force --function NAME     # a deployed stack's PollMarketplacesFunctionName (AWS keys)

On the local stack it fires PollMarketplacesFunction's schedule (POST
/_local/schedules/PollMarketplacesFunction, the body the event's detail: `{"force": true}`); on AWS it
invokes the function with the event `{"detail": {"force": true}}`, as its schedule does. Prints what
each connection's streams read and what was read back of the replies published; exit 1 when a stream
stopped on an error (it resumes from its cursor next time), 2 when the poll could not be run.

`otklik backfill --since DAY` is refused for now: a poll reads each stream forward from its cursor
(docs/marketplaces.md, "Polling and cursors"), and there is no way yet to read a connection again from
a date (Ozon's cursor is an id, not a date, and every platform lists only what is unanswered).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from datetime import date
from typing import Any, TextIO

from otklik.entrypoints.cli_api import CommandError, is_loopback

COMMANDS = ("poll", "backfill")
FUNCTION = "PollMarketplacesFunction"
LOCAL_STACK = "http://127.0.0.1:3000"
NO_BACKFILL = (
    "backfill is not possible yet: polls read each stream forward from its cursor, and no poll can read"
    " a connection again from a date (docs/marketplaces.md, 'Polling and cursors'); nothing was asked."
    " `otklik poll --force` reads what is new now"
)


def add_parser(commands: Any) -> None:
    """Register `poll` and `backfill` on the command line's subcommands."""
    poll = commands.add_parser(
        "poll",
        help="poll the marketplaces now",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    poll.add_argument("--force", action="store_true", help="every enabled connection, whatever its interval")
    _where(poll)
    backfill = commands.add_parser(
        "backfill", help="read the marketplaces again from a day (not possible yet)"
    )
    backfill.add_argument("--since", required=True, metavar="YYYY-MM-DD")
    backfill.add_argument("--connection", metavar="NAME", help="one connection (default: every enabled one)")


def _where(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--stack-url", help=f"a local stack's API (default: $OTKLIK_STACK_URL or {LOCAL_STACK})"
    )
    where.add_argument("--function", help="a deployed stack's PollMarketplacesFunctionName (AWS credentials)")


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """Run `poll` or `backfill`: 0 with what was read printed; 1 when a stream stopped; 2 with one line."""
    environ = os.environ if environ is None else environ
    try:
        if args.command == "backfill":
            _day(args.since)
            raise CommandError(NO_BACKFILL)
        detail = {"force": True} if args.force else {}
        if args.function:
            result = _on_aws(args.function, detail)
        else:
            result = _on_local_stack(args.stack_url or environ.get("OTKLIK_STACK_URL") or LOCAL_STACK, detail)
    except CommandError as failure:
        err.write(f"otklik: {failure.message}\n")
        return failure.status
    return _print(result, args.force, out)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since: {text!r} is not a day YYYY-MM-DD") from None


def _on_local_stack(url: str, detail: dict[str, Any]) -> dict[str, Any]:
    from otklik.adapters.http import HttpClient, HttpError
    from otklik.entrypoints.cli_api import describe

    if not is_loopback(url):
        raise CommandError(
            f"--stack-url: {url} is not a local stack; a deployed one is polled with --function"
        )
    try:
        answer = HttpClient(timeout_seconds=300, attempts=1).post_json(
            f"{url.rstrip('/')}/_local/schedules/{FUNCTION}", detail
        )
    except HttpError as error:
        failed = _function_failed(error.detail)
        raise (CommandError(failed) if failed else CommandError(*describe(error, url))) from None
    result = answer.json()  # what the function returned
    return result if isinstance(result, dict) else {}


def _function_failed(detail: str) -> str | None:
    """`PollMarketplacesFunction failed: ValueError: ...` from the local stack's 502, else None."""
    try:
        document = json.loads(detail)
    except ValueError:
        return None
    if not isinstance(document, dict) or "errorType" not in document:
        return None
    return f"{FUNCTION} failed: {document['errorType']}: {document.get('errorMessage', '')}"


def _on_aws(function: str, detail: dict[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from otklik.adapters import aws

    try:
        answer = aws.client("lambda", attempts=1).invoke(
            FunctionName=function, Payload=json.dumps({"detail": detail}).encode()
        )
    except (BotoCoreError, ClientError) as error:
        raise CommandError(f"could not invoke {function}: {error}") from None
    payload = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError"):
        raise CommandError(f"{function} failed: {payload.get('errorMessage', 'see its logs')}")
    return payload if isinstance(payload, dict) else {}


def _print(result: dict[str, Any], forced: bool, out: TextIO) -> int:
    streams = result.get("streams") or []
    if not streams:
        out.write(
            "no enabled connection\n"
            if forced
            else "no connection was due (--force polls every enabled one)\n"
        )
    stopped = 0
    for stream in streams:
        line = (
            f"{stream.get('connection')} {stream.get('stream')}:"
            f" {stream.get('ingested', 0)} in, {stream.get('pages', 0)} page(s)"
        )
        if stream.get("malformed"):
            line += f", {stream['malformed']} malformed (skipped, see the logs)"
        if stream.get("error"):
            stopped += 1
            line += f"; stopped: {stream['error']} (resumes from its cursor next time)"
        out.write(line + "\n")
    looked = result.get("read_back") or {}
    if looked:
        out.write(
            f"replies read back: {looked.get('published', 0)} published, {looked.get('pending', 0)} pending,"
            f" {looked.get('refused', 0)} refused by the platform\n"
        )
    return 1 if stopped else 0
