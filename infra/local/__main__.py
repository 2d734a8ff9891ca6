"""`python -m infra.local` (make run): otklik's template on this machine, in the foreground until Ctrl-C."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from types import FrameType

from infra.local.resources import DYNAMODB_TABLE, SIMPLE_TABLE, SQS_QUEUE
from infra.local.seed import API_PORT, AWS_PORT, OPS_TOKEN, SAMPLE_WEBHOOK_BODY, otklik_stack
from infra.local.stack import LocalStack
from infra.local.template import TemplateError


def port_from(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise SystemExit(f"{name} must be a port number, got {value!r}")
    return int(value)


def summary(stack: LocalStack) -> str:
    """What started, and how to send a first webhook."""
    api = stack.api_url
    resources = stack.resources
    lines = [
        "",
        f"otklik local stack '{stack.stack_name}' (Stage={stack.template.parameters['Stage']})",
        f"  API          {api}",
        f"  AWS (moto)   {stack.aws_url}   e.g. aws --endpoint-url {stack.aws_url} dynamodb list-tables",
        "  tables       " + ", ".join(r.physical_id for r in resources.of_type(DYNAMODB_TABLE, SIMPLE_TABLE)),
        "  queues       " + ", ".join(r.physical_id for r in resources.of_type(SQS_QUEUE)),
        "  functions",
    ]
    for spec in stack.runtime.functions():
        lines.append(
            f"    {spec.logical_id:<28} <- {'; '.join(stack.triggers(spec.logical_id)) or 'nothing'}"
        )
    lines += [
        "",
        "Send a first webhook (signed with the local secret) and see its ticket:",
        f"  SIG=$(.venv/bin/otklik sign {SAMPLE_WEBHOOK_BODY})",
        f"  curl -i -X POST {api}/webhooks/custom -H 'Content-Type: application/json' \\",
        f'       -H "X-Otklik-Signature: $SIG" --data-binary @{SAMPLE_WEBHOOK_BODY}',
        f"  curl -H 'Authorization: Bearer {OPS_TOKEN}' '{api}/tickets?status=open'",
        "",
        f"Fire a schedule now: curl -X POST {api}/_local/schedules/SweepSlaFunction",
        f"Status:             curl {api}/_local/status",
        "Ctrl-C stops the stack.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger(__name__).info("%s received; stopping", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack = otklik_stack(
        os.environ,
        api_port=port_from(os.environ, "OTKLIK_LOCAL_API_PORT", API_PORT),
        aws_port=port_from(os.environ, "OTKLIK_LOCAL_AWS_PORT", AWS_PORT),
    )
    try:
        with stack:
            print(summary(stack), flush=True)
            while not stopping.wait(1.0):
                pass
    except TemplateError as error:
        print(f"template.yaml: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"cannot start the local stack: {error.strerror or error}. "
            "OTKLIK_LOCAL_API_PORT and OTKLIK_LOCAL_AWS_PORT choose other ports.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
