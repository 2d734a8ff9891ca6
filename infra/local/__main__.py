"""`python -m infra.local` (make run): otklik's template on this machine, in the foreground until Ctrl-C."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import FrameType

from infra.fakes.ozon import FakeOzon
from infra.fakes.telegram import FakeTelegram
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from infra.local.mappings import DEFAULT_RETRY_DELAY_SECONDS
from infra.local.resources import DYNAMODB_TABLE, SIMPLE_TABLE, SQS_QUEUE
from infra.local.seed import (
    API_PORT,
    AWS_PORT,
    OPS_TOKEN,
    PUSH_TOKEN,
    SAMPLE_WEBHOOK_BODY,
    STAGE,
    marketplace_seed,
    otklik_stack,
)
from infra.local.stack import LocalStack
from infra.local.template import TemplateError
from otklik.domain.config import ConfigInvalid


def port_from(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise SystemExit(f"{name} must be a port number, got {value!r}")
    return int(value)


def backoff_scale_from(environ: Mapping[str, str]) -> float:
    """OTKLIK_LOCAL_SDK_BACKOFF_SCALE: how much of botocore's retry waits functions sleep (default 1)."""
    value = environ.get("OTKLIK_LOCAL_SDK_BACKOFF_SCALE", "").strip()
    if not value:
        return 1.0
    try:
        scale = float(value)
    except ValueError:
        scale = -1.0
    if not 0 <= scale <= 1:
        raise SystemExit(f"OTKLIK_LOCAL_SDK_BACKOFF_SCALE must be a number from 0 to 1, got {value!r}")
    return scale


def retry_delay_from(environ: Mapping[str, str]) -> int:
    """OTKLIK_LOCAL_RETRY_DELAY: seconds before a failed SQS message or stream batch is retried (1)."""
    value = environ.get("OTKLIK_LOCAL_RETRY_DELAY", "").strip()
    if not value:
        return DEFAULT_RETRY_DELAY_SECONDS
    if not value.isdigit():
        raise SystemExit(f"OTKLIK_LOCAL_RETRY_DELAY must be a whole number of seconds, got {value!r}")
    return int(value)


# Each port the local stack opens, the setting that moves it and its default; the fakes' only with
# OTKLIK_LOCAL_FAKES=1.
STACK_PORTS = {"OTKLIK_LOCAL_API_PORT": API_PORT, "OTKLIK_LOCAL_AWS_PORT": AWS_PORT}
FAKE_PORTS = {
    "OTKLIK_FAKE_WB_PORT": 3101,
    "OTKLIK_FAKE_OZON_PORT": 3102,
    "OTKLIK_FAKE_YM_PORT": 3103,
    "OTKLIK_FAKE_TELEGRAM_PORT": 3104,
}


def fakes_wanted(environ: Mapping[str, str]) -> bool:
    return environ.get("OTKLIK_LOCAL_FAKES", "") in ("1", "true", "yes")


def ports_taken(environ: Mapping[str, str], host: str = "127.0.0.1") -> list[str]:
    """One line for each port the stack would open that another program holds, naming its setting."""
    wanted = {**STACK_PORTS, **(FAKE_PORTS if fakes_wanted(environ) else {})}
    taken = []
    for setting, default in wanted.items():
        port = port_from(environ, setting, default)
        if port == 0:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                taken.append(
                    f"port {port} ({setting}) is taken: {error.strerror}; "
                    f"stop what uses it or set {setting} to a free port"
                )
    return taken


def summary(stack: LocalStack, config_path: str = "infra/config/otklik.yaml") -> str:
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
        f"  curl -sS -i -X POST {api}/webhooks/custom -H 'Content-Type: application/json' \\",
        f'       -H "X-Otklik-Signature: $SIG" --data-binary @{SAMPLE_WEBHOOK_BODY}',
        f"  curl -sS -i -H 'Authorization: Bearer {OPS_TOKEN}' '{api}/tickets?status=open'",
        "",
        f"Fire a schedule now: curl -sS -i -X POST {api}/_local/schedules/SweepSlaFunction",
        f"Status:             curl -sS {api}/_local/status",
        f"Configuration:      {config_path}, in s3://{resources.physical_id('ConfigBucket')}/otklik.yaml",
        "Ctrl-C stops the stack.",
        "",
    ]
    return "\n".join(lines)


@dataclass
class Fakes:
    wb: FakeWildberries
    ozon: FakeOzon
    ym: FakeYandexMarket
    telegram: FakeTelegram


@contextlib.contextmanager
def marketplace_fakes(environ: Mapping[str, str]) -> Iterator[Fakes | None]:
    """With OTKLIK_LOCAL_FAKES=1: fake WB, Ozon and YM with sample data, and a fake Telegram Bot API (ports
    OTKLIK_FAKE_*_PORT)."""
    if not fakes_wanted(environ):
        yield None
        return
    with (
        FakeWildberries(
            port=port_from(environ, "OTKLIK_FAKE_WB_PORT", FAKE_PORTS["OTKLIK_FAKE_WB_PORT"]), samples=True
        ) as wb,
        FakeOzon(
            port=port_from(environ, "OTKLIK_FAKE_OZON_PORT", FAKE_PORTS["OTKLIK_FAKE_OZON_PORT"]),
            samples=True,
        ) as ozon,
        FakeYandexMarket(
            port=port_from(environ, "OTKLIK_FAKE_YM_PORT", FAKE_PORTS["OTKLIK_FAKE_YM_PORT"]), samples=True
        ) as ym,
        FakeTelegram(
            port=port_from(environ, "OTKLIK_FAKE_TELEGRAM_PORT", FAKE_PORTS["OTKLIK_FAKE_TELEGRAM_PORT"])
        ) as telegram,
    ):
        yield Fakes(wb, ozon, ym, telegram)


def marketplace_options(environ: Mapping[str, str], fakes: Fakes | None) -> dict[str, dict[str, str]]:
    """Connections to the fakes started here, or to fakes whose URLs the environment gives (tests)."""
    wb_url = fakes.wb.url if fakes else environ.get("OTKLIK_LOCAL_WB_URL")
    ozon_url = fakes.ozon.url if fakes else environ.get("OTKLIK_LOCAL_OZON_URL")
    ym_url = fakes.ym.url if fakes else environ.get("OTKLIK_LOCAL_YM_URL")
    if not (wb_url or ozon_url or ym_url):
        return {}
    overrides, secrets = marketplace_seed(
        STAGE,
        (wb_url, "wb-test-token") if wb_url else None,
        (ozon_url, "123", "ozon-test-key") if ozon_url else None,
        (ym_url, "ym-test-key", 777) if ym_url else None,
    )
    return {"parameter_overrides": overrides, "ssm_parameters": secrets}


def marketplace_demo(api: str, fakes: Fakes) -> str:
    """A first poll, an Ozon chat message and a YM review notification, as the platforms send them."""
    poll = urllib.request.Request(
        f"{api}/_local/schedules/PollMarketplacesFunction",
        data=b'{"force": true}',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(poll, timeout=60) as answer:
        answer.read()
    chat = fakes.ozon.add_chat("chat-demo-1")  # a chat the seller can answer in
    fakes.ozon.push(
        f"{api}/push/ozon/ozon-main/{PUSH_TOKEN}",
        fakes.ozon.new_message(chat, "msg-demo-1", "Здравствуйте! Заказ задерживается уже неделю, где он?"),
    )
    review = fakes.ym.add_feedback("Кофемашина протекает с первого дня, не рекомендую", rating=1)
    fakes.ym.notify(
        f"{api}/push/yandex-market/ym-main/{PUSH_TOKEN}",
        fakes.ym.goods_feedback_created(review["feedbackId"]),
    )
    return "\n".join(
        [
            "Marketplace fakes (sample data):",
            f"  Wildberries  {fakes.wb.url}   Ozon  {fakes.ozon.url}   Yandex Market  {fakes.ym.url}",
            "  Polled once now (then every minute); sent an Ozon chat message and a YM review notification.",
            f"  Tickets:  curl -sS -i -H 'Authorization: Bearer {OPS_TOKEN}' '{api}/tickets?status=open'",
            f"  Reply:    curl -sS -i -X POST -H 'Authorization: Bearer {OPS_TOKEN}' \\",
            "              -H 'Content-Type: application/json' -d '{\"text\": \"Спасибо, разберёмся!\"}' \\",
            f"              {api}/tickets/<ticket id>/reply",
            f"  Published?  curl -sS -i -H 'Authorization: Bearer {OPS_TOKEN}' {api}/tickets/<ticket id>",
            "",
        ]
    )


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
    taken = ports_taken(os.environ)
    if taken:
        print("cannot start the local stack:", *taken, sep="\n  ", file=sys.stderr)
        return 1
    try:
        with marketplace_fakes(os.environ) as fakes:
            environ = dict(os.environ)
            if fakes is not None:  # the sample's Telegram channel, enabled against the fake Bot API
                environ["OTKLIK_LOCAL_TELEGRAM_URL"] = fakes.telegram.url
            stack = otklik_stack(
                environ,
                api_port=port_from(os.environ, "OTKLIK_LOCAL_API_PORT", API_PORT),
                aws_port=port_from(os.environ, "OTKLIK_LOCAL_AWS_PORT", AWS_PORT),
                sdk_backoff_scale=backoff_scale_from(os.environ),
                retry_delay=retry_delay_from(os.environ),
                **marketplace_options(os.environ, fakes),
            )
            with stack:
                config_path = os.environ.get("OTKLIK_LOCAL_CONFIG") or "infra/config/otklik.yaml"
                print(summary(stack, config_path), flush=True)
                if fakes is not None:
                    print(marketplace_demo(stack.api_url, fakes), flush=True)
                while not stopping.wait(1.0):
                    pass
    except TemplateError as error:
        print(f"template.yaml: {error}", file=sys.stderr)
        return 2
    except ConfigInvalid as invalid:
        where = os.environ.get("OTKLIK_LOCAL_CONFIG") or "infra/config/otklik.yaml"
        print(f"{where}: not a valid configuration:", *invalid.problems, sep="\n  ", file=sys.stderr)
        return 2
    except OSError as error:
        settings = ", ".join(f"{name}={port}" for name, port in {**STACK_PORTS, **FAKE_PORTS}.items())
        print(
            f"cannot start the local stack: {error.strerror or error}. Ports and their settings: {settings}.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
