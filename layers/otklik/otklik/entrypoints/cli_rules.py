"""`otklik rules dry-run --config FILE --day YYYY-MM-DD`: what a candidate configuration's rules would do to
a stored day's items, beside what each got, before anyone deploys it (as POST /rules/dry-run does).

It reads the stack's tables: OTKLIK_FEEDBACK_TABLE and OTKLIK_TICKETS_TABLE name them (the stack's
FeedbackTableName and TicketsTableName outputs; `make run` prints the local ones under "tables"), and
the ordinary AWS settings say where they are (AWS_REGION and credentials; for the local stack
AWS_ENDPOINT_URL=http://127.0.0.1:4566 with any key). Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

from otklik.entrypoints.cli_input import config_from

if TYPE_CHECKING:
    from otklik.bootstrap.rules_cli import StoredDay
    from otklik.domain.config import Config

MAX_ITEMS = 1000  # usecases.dry_run.MAX_ITEMS, named here so the parser loads nothing more
SETTINGS_HELP = (
    "set OTKLIK_FEEDBACK_TABLE and OTKLIK_TICKETS_TABLE (the stack's FeedbackTableName and TicketsTableName"
    " outputs; `make run` prints the local ones) and the AWS settings (AWS_REGION, credentials;"
    " AWS_ENDPOINT_URL=http://127.0.0.1:4566 for the local stack)"
)


def add_parser(commands: Any) -> None:
    """Register `rules` (dry-run) on the command line's subcommands."""
    rules = commands.add_parser("rules", help="routing rules: try a configuration on a stored day")
    rule_commands = rules.add_subparsers(dest="rules_command", required=True)
    dry_run = rule_commands.add_parser(
        "dry-run",
        help="what a configuration's rules would give each item of a stored day, beside what it got",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dry_run.add_argument("--config", required=True, metavar="FILE", help="the candidate document (YAML)")
    dry_run.add_argument(
        "--day", required=True, metavar="YYYY-MM-DD", help="the stored day (the items' report day)"
    )
    dry_run.add_argument(
        "--max-items", type=int, default=MAX_ITEMS, metavar="N", help=f"stop after N items (1..{MAX_ITEMS})"
    )
    dry_run.add_argument("--cursor", help="go on from where a capped run stopped (its next_cursor)")
    dry_run.add_argument("--changes-only", action="store_true", help="list only the items that would change")
    dry_run.add_argument("--format", choices=("text", "json"), default="text")


def _day(text: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(f"--day: {text!r} is not a date YYYY-MM-DD")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--day: {text} is not a calendar date") from None
    return text


def _print(answer: dict[str, Any], out: TextIO) -> None:
    summary = answer["summary"]
    tickets = summary["tickets"]
    for item in answer["items"]:
        if "error" in item:
            out.write(f"{item['feedback_id']}  {item['error']}\n")
            continue
        rules = ", ".join(rule["name"] for rule in item["would"]["rules"]) or "none"
        changes = "; ".join(item["changes"]) or "unchanged"
        out.write(f"{item['feedback_id']}  {item['kind']}  {changes}  (rules: {rules})\n")
    out.write(
        f"\n{answer['day']}: {summary['items']} items, {summary['changed']} would change;"
        f" tickets {tickets['got']} -> {tickets['would']}"
        f" ({tickets['newly_opened']} newly opened, {tickets['no_longer_opened']} no longer)\n"
    )
    for what in ("team_changes", "priority_changes"):
        for change, count in summary[what].items():
            out.write(f"  {what.removesuffix('_changes')} {change}: {count}\n")
    if summary["rules_matched"]:
        out.write(
            "  rules matched: " + ", ".join(f"{n} {c}" for n, c in summary["rules_matched"].items()) + "\n"
        )
    for note in answer["notes"]:
        out.write(f"  note: {note}\n")
    if answer["capped"]:
        out.write(f"  {answer['message']}: --cursor {answer['next_cursor']}\n")


def run(
    args: argparse.Namespace, out: TextIO, err: TextIO, build: Callable[[], StoredDay] | None = None
) -> int:
    """Run `rules dry-run`: 0 with the run printed; 2 with what is wrong on err (the document's every
    problem by its path, a bad argument, missing settings, AWS failing)."""
    from otklik.bootstrap.settings import SettingsInvalid

    config = config_from(args.config, err)
    if config is None:
        return 2
    try:
        day = _day(args.day)
        if not 1 <= args.max_items <= MAX_ITEMS:
            raise ValueError(f"--max-items: give 1 to {MAX_ITEMS}")
    except ValueError as problem:
        err.write(f"otklik: {problem}\n")
        return 2
    from otklik.bootstrap import rules_cli

    try:
        stores = (build or rules_cli.build)()
    except SettingsInvalid as invalid:
        err.write(f"otklik: {invalid}; {SETTINGS_HELP}\n")
        return 2
    return _run(config, day, args, stores, out, err)


def _run(
    config: Config, day: str, args: argparse.Namespace, stores: StoredDay, out: TextIO, err: TextIO
) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from otklik.domain.errors import Refused
    from otklik.usecases.dry_run import dry_run

    try:
        answer = dry_run(
            config,
            day,
            stores.feedback,
            stores.tickets,
            max_items=args.max_items,
            cursor=args.cursor,
            changes_only=args.changes_only,
        )
    except Refused as refusal:  # a cursor that is not one a run gave out, a busy table
        err.write(f"otklik: {refusal.message}\n")
        return 2
    except (BotoCoreError, ClientError) as error:
        err.write(f"otklik: the tables cannot be read: {type(error).__name__}: {error}; {SETTINGS_HELP}\n")
        return 2
    if args.format == "json":
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
    else:
        _print(answer, out)
    return 0
