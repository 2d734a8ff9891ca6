"""`otklik poll` and `otklik backfill`: read the marketplaces now, or again from a day.

    otklik poll --force                          # the local stack (make run): every enabled connection now
    otklik poll --connection wb-main             # that connection now, whatever its interval
    otklik poll --stack-url URL                  # another local stack; without --force only the due ones
    otklik poll --force --function NAME          # a deployed stack's PollMarketplacesFunctionName (AWS keys)
    otklik backfill --since 2026-11-01           # every enabled connection again from that day
    otklik backfill --since 2026-11-01 --connection wb-main --function NAME

On the local stack it fires PollMarketplacesFunction's schedule (POST
/_local/schedules/PollMarketplacesFunction, the body the event's detail: `{"force": true}`,
`{"connection": "wb-main"}` or `{"backfill": {"since": "2026-11-01", "connection": "wb-main"}}`); on AWS
it invokes the function with the event `{"detail": ...}`, as its schedule does. Prints what each
connection's streams read (and, for a poll, what was read back of the replies published).

A backfill reads each stream from the start of the day (the stack's day zone, Europe/Moscow by default)
to now, with a cursor of its own: the stored cursors are not moved, and what it reads again is counted
as a duplicate, not stored twice. The day may be today or up to 90 days back. A day that is not one, is
in the future or is too far back, and a connection that is unknown or disabled, exit 2 with one line and
nothing read. Exit 1 when a stream stopped on an error or a backfill left pages unread.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from otklik.domain.marketplaces.backfill import MAX_BACKFILL_DAYS, PollRefused, backfill_day
from otklik.entrypoints.cli_api import CommandError, run_function, stack_options
from otklik.entrypoints.cli_progress import Waiting

COMMANDS = ("poll", "backfill")
FUNCTION = "PollMarketplacesFunction"
TIMEOUT_SECONDS = 330.0  # the function's own timeout is 300 s: its answer comes by then


def add_parser(commands: Any) -> None:
    """Register `poll` and `backfill` on the command line's subcommands."""
    poll = commands.add_parser(
        "poll",
        help="poll the marketplaces now",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = poll.add_mutually_exclusive_group()
    which.add_argument("--force", action="store_true", help="every enabled connection, whatever its interval")
    which.add_argument("--connection", metavar="NAME", help="this connection only, now")
    stack_options(poll, "PollMarketplacesFunctionName")
    backfill = commands.add_parser(
        "backfill",
        help="read the marketplaces again from a day (missed feedback is ingested, the rest is a duplicate)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backfill.add_argument(
        "--since", required=True, metavar="YYYY-MM-DD", help=f"today or up to {MAX_BACKFILL_DAYS} days back"
    )
    backfill.add_argument("--connection", metavar="NAME", help="one connection (default: every enabled one)")
    stack_options(backfill, "PollMarketplacesFunctionName")


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """Run `poll` or `backfill`: 0 with what was read printed; 1 when a stream stopped; 2 with one line."""
    environ = os.environ if environ is None else environ
    backfilling = args.command == "backfill"
    try:
        detail = _backfill_detail(args) if backfilling else _poll_detail(args)
        with Waiting(f"{args.command}: waiting for {FUNCTION}", err):
            result = run_function(FUNCTION, detail, args, environ, TIMEOUT_SECONDS)
        if result.get("refused"):
            raise CommandError(f"{result['refused']}; nothing was read")
    except CommandError as failure:
        err.write(f"otklik: {failure.message}\n")
        return failure.status
    return _print_backfill(result, out) if backfilling else _print_poll(result, args, out)


def _poll_detail(args: argparse.Namespace) -> dict[str, Any]:
    if args.connection:
        return {"connection": args.connection}
    return {"force": True} if args.force else {}


def _backfill_detail(args: argparse.Namespace) -> dict[str, Any]:
    """The event's detail, the day checked first so that a bad one asks nothing (the function checks it
    again against today in its own day zone)."""
    try:
        day = backfill_day(args.since, datetime.now(UTC))
    except PollRefused as refusal:
        raise CommandError(f"--since: {refusal}") from None
    window: dict[str, Any] = {"since": day.isoformat()}
    if args.connection:
        window["connection"] = args.connection
    return {"backfill": window}


def _stream_line(stream: Mapping[str, Any]) -> str:
    line = (
        f"{stream.get('connection')} {stream.get('stream')}:"
        f" {stream.get('ingested', 0)} in, {stream.get('pages', 0)} page(s)"
    )
    if stream.get("malformed"):
        line += f", {stream['malformed']} malformed (skipped, see the logs)"
    return line


def _print_poll(result: dict[str, Any], args: argparse.Namespace, out: TextIO) -> int:
    streams = result.get("streams") or []
    if not streams:
        out.write(
            "no enabled connection\n"
            if args.force or args.connection
            else "no connection was due (--force polls every enabled one)\n"
        )
    stopped = 0
    for stream in streams:
        line = _stream_line(stream)
        if stream.get("error"):
            stopped += 1
            line += f"; stopped: {stream['error']} (resumes from its cursor next time)"
        elif stream.get("unfinished"):
            line += "; more waiting (the next poll reads on from its cursor)"
        out.write(line + "\n")
    looked = result.get("read_back") or {}
    if looked:
        out.write(
            f"replies read back: {looked.get('published', 0)} published, {looked.get('pending', 0)} pending,"
            f" {looked.get('refused', 0)} refused by the platform\n"
        )
    return 1 if stopped else 0


def _print_backfill(result: dict[str, Any], out: TextIO) -> int:
    window = result.get("backfill") or {}
    streams = result.get("streams") or []
    out.write(f"backfill from {window.get('since')} to {window.get('until')}\n")
    if not streams:
        out.write("no enabled connection\n")
    incomplete = 0
    for stream in streams:
        line = _stream_line(stream)
        if stream.get("error"):
            incomplete += 1
            line += f"; stopped: {stream['error']} (run the backfill again: what it read is a duplicate)"
        elif stream.get("unfinished"):
            incomplete += 1
            line += (
                f"; stopped after {stream.get('pages', 0)} pages, the most a backfill reads of a stream"
                " (OTKLIK_MAX_BACKFILL_PAGES_PER_STREAM): the rest was not read"
            )
        out.write(line + "\n")
    ingested = sum(int(stream.get("ingested", 0)) for stream in streams)
    connections = len({stream.get("connection") for stream in streams})
    if streams:
        out.write(
            f"read again: {ingested} item(s) from {len(streams)} stream(s) of {connections} connection(s);"
            " those stored already are counted as duplicates, not stored twice\n"
        )
    return 1 if incomplete else 0
