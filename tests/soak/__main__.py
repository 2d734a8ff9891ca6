"""`make soak`: python -m tests.soak [--webhooks N] [--senders N] [--faults JSON] [--seed N]."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from tests.soak.run import ISSUE_FAULTS, SoakSettings, run_soak, soak_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument("--webhooks", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--faults", type=json.loads, default=ISSUE_FAULTS, help="POST /_local/faults body")
    parser.add_argument("--seed", type=int, default=1, help="which webhooks and re-deliveries")
    parser.add_argument("--drain-timeout", type=float, default=3600.0)
    parser.add_argument(
        "--sdk-backoff-scale", type=float, default=0.1, help="botocore's waits in functions (1: as on AWS)"
    )
    parser.add_argument("--retry-delay", type=int, default=1, help="seconds before a retry")
    parser.add_argument("--log", type=Path, help="the stack's log (default: a temporary file, kept)")
    options = parser.parse_args(argv)
    log = options.log or Path(tempfile.mkdtemp(prefix="otklik-soak-")) / "stack.log"
    settings = SoakSettings(
        webhooks=options.webhooks,
        senders=options.senders,
        faults=options.faults,
        seed=options.seed,
        drain_timeout=options.drain_timeout,
        sdk_backoff_scale=options.sdk_backoff_scale,
        retry_delay=options.retry_delay,
    )
    print(f"soak: {settings.webhooks} webhooks, stack log {log}", flush=True)
    with soak_stack(log, settings) as stack:
        report = run_soak(stack, settings)
    print(report.text(), flush=True)
    return 0 if report.goals_met() else 1


if __name__ == "__main__":
    sys.exit(main())
