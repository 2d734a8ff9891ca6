"""`otklik tonality train`: train the accounts' own tonality models now, as the weekly schedule does.

    otklik tonality train                         # the local stack (make run): every account
    otklik tonality train --account wb-main       # that account only
    otklik tonality train --stack-url URL         # another local stack
    otklik tonality train --function NAME         # a deployed stack's TrainTonalityFunctionName (AWS keys)

On the local stack it fires TrainTonalityFunction's schedule (POST /_local/schedules/TrainTonalityFunction,
the body the event's detail: `{}` or `{"account": "wb-main"}`); on AWS it invokes the function with the
event `{"detail": ...}`. Prints, per account, the reviews used, the held-back figures (macro-F1 of the
candidate, the model in force, the shipped model and the lexicon alone) and whether the candidate was
promoted or refused, and why (docs/tonality-learning.md). Bad input, learning turned off or a failed run:
exit 2 with one line; a stack that cannot be reached: exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from typing import Any, TextIO

from otklik.domain.learning import ACCOUNT
from otklik.entrypoints.cli_api import CommandError, run_function, stack_options
from otklik.entrypoints.cli_progress import Waiting

FUNCTION = "TrainTonalityFunction"
TIMEOUT_SECONDS = 930.0  # the function's own timeout is 900 s: its answer comes by then
OUTCOMES = {"promoted": "promoted", "refused": "refused", "not_enough": "not enough reviews"}


def add_parser(tonality_commands: Any) -> None:
    """Register `train` on the `tonality` subcommands."""
    train = tonality_commands.add_parser(
        "train",
        help="train the accounts' own models on their rated reviews now (promoted only when better)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("--account", metavar="NAME", help="this account only (default: every account)")
    train.add_argument("--json", action="store_true", help="print the function's answer as JSON")
    stack_options(train, "TrainTonalityFunctionName")


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """Run `tonality train`: 0 with each account's outcome printed; 2 (1: no stack) with one line on err."""
    environ = os.environ if environ is None else environ
    if args.account is not None and not ACCOUNT.match(args.account):
        err.write(
            f"otklik: --account: {args.account!r} is not an account name (letters, digits, '_', '.', '-')\n"
        )
        return 2
    detail = {"account": args.account} if args.account else {}
    try:
        with Waiting(f"tonality train: waiting for {FUNCTION}", err):
            result = run_function(FUNCTION, detail, args, environ, TIMEOUT_SECONDS)
    except CommandError as failure:
        err.write(f"otklik: {failure.message}\n")
        return failure.status
    if result.get("error"):
        err.write(f"otklik: nothing trained: {result['error']}\n")
        return 2
    if result.get("disabled"):
        err.write("otklik: nothing trained: tonality learning is off (tonality.learning.enabled: false)\n")
        return 2
    if args.json:
        out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return 0
    accounts = result.get("accounts") or []
    if not accounts:
        out.write("no account has rated reviews in the learning window\n")
    for report in accounts:
        out.write(describe(report))
    return 0


def describe(report: Mapping[str, Any]) -> str:
    """One account's outcome, the reviews used and the held-back figures, as a few lines."""
    outcome = OUTCOMES.get(str(report.get("outcome")), str(report.get("outcome")))
    head = f"{report.get('account')}: {outcome}"
    if report.get("version"):
        head += f" {report['version']}"
    reviews = int(report.get("reviews") or 0)
    head += f" ({reviews:,} rated reviews"
    if report.get("trained_on") or report.get("held_back"):
        trained, held = int(report.get("trained_on") or 0), int(report.get("held_back") or 0)
        head += f": {trained:,} trained on, {held:,} held back"
    lines = [head + ")"]
    scores = report.get("scores") or {}
    if scores:
        figures = [f"candidate {_figure(scores.get('candidate'))}"]
        figures.append(f"in force {_figure(scores.get('in_force'))} ({report.get('in_force')})")
        figures.append(f"shipped {_figure(scores.get('shipped'))}")
        figures.append(f"lexicon {_figure(scores.get('lexicon'))}")
        lines.append("  held-back macro-F1: " + ", ".join(figures))
    lines.append(f"  why: {report.get('reason')}")
    return "\n".join(lines) + "\n"


def _figure(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "none"
