"""The local stack with one connection per marketplace (fake WB, Ozon and YM on loopback), so that the
push routes take pushes, and what it holds as seen through moto once it is idle."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from infra.local.seed import PUSH_TOKEN
from tests.e2e.conftest import RunningStack, running_stack

OZON_CONNECTION = "ozon-main"
YM_CONNECTION = "ym-main"
YM_BUSINESS_ID = 777  # FakeYandexMarket's default cabinet, which infra.local seeds for ym-main


@dataclass
class MarketplaceStack:
    stack: RunningStack
    wb: FakeWildberries
    ozon: FakeOzon
    ym: FakeYandexMarket

    @staticmethod
    def ozon_push_path(connection: str = OZON_CONNECTION, token: str = PUSH_TOKEN) -> str:
        return f"/push/ozon/{connection}/{token}"

    @staticmethod
    def ym_push_path(connection: str = YM_CONNECTION, token: str = PUSH_TOKEN) -> str:
        return f"/push/yandex-market/{connection}/{token}/notification"


@contextmanager
def marketplace_stack(log: Path) -> Iterator[MarketplaceStack]:
    """`python -m infra.local` pointed at fakes started here (as tests/e2e/test_marketplaces.py does)."""
    with FakeWildberries() as wb, FakeOzon() as ozon, FakeYandexMarket() as ym:
        env = {
            "OTKLIK_LOCAL_WB_URL": wb.url,
            "OTKLIK_LOCAL_OZON_URL": ozon.url,
            "OTKLIK_LOCAL_YM_URL": ym.url,
        }
        with running_stack(log, env) as stack:
            yield MarketplaceStack(stack, wb, ozon, ym)


def _busy(stack: RunningStack, sqs: Any) -> tuple[int, list[str]]:
    """The stack's invocation count and what is still busy: mappings in flight, source queues not empty."""
    status = stack.request("GET", "/_local/status").body
    busy = [m["name"] for m in status["mappings"] if m["state"] != "polling"]
    for mapping in status["mappings"]:
        if mapping["type"] != "sqs":
            continue
        url = sqs.get_queue_url(QueueName=mapping["source"].rsplit(":", 1)[-1])["QueueUrl"]
        counts = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if any(int(count) for count in counts.values()):
            busy.append(mapping["source"].rsplit(":", 1)[-1])
    return int(status["invocations"]), busy


def wait_idle(stack: RunningStack, timeout: float, quiet_for: float = 1.5) -> list[str]:
    """Wait until no mapping is in flight, every source queue is empty and no function has run for
    quiet_for seconds (a stream batch shows only as an invocation). [] when idle; else what is busy."""
    sqs = stack.aws("sqs")
    deadline = time.monotonic() + timeout
    invocations, busy = _busy(stack, sqs)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now_invocations, busy = _busy(stack, sqs)
        if busy or now_invocations != invocations:
            invocations, quiet_since = now_invocations, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_for:
            return []
    return busy or ["invocations still running"]


@dataclass(frozen=True)
class StoredState:
    """Every item of every table and every message in every dead-letter queue, as JSON text."""

    items: dict[str, list[str]]  # table name -> items
    dead_letters: dict[str, list[str]]  # DLQ name -> message bodies
    queued: dict[str, int]  # source queue name -> messages waiting or in flight


def stored_state(stack: RunningStack) -> StoredState:
    """Read once, at the end: the dead letters are left hidden for a minute."""
    dynamodb, sqs = stack.aws("dynamodb"), stack.aws("sqs")
    items: dict[str, list[str]] = {}
    for table in dynamodb.list_tables()["TableNames"]:
        pages = dynamodb.get_paginator("scan").paginate(TableName=table)
        items[table] = [json.dumps(item, ensure_ascii=False) for page in pages for item in page["Items"]]
    dead_letters: dict[str, list[str]] = {}
    queued: dict[str, int] = {}
    for url in sqs.list_queues().get("QueueUrls", []):
        name = url.rsplit("/", 1)[-1]
        if not name.endswith("DLQ"):
            counts = sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            queued[name] = sum(int(count) for count in counts.values())
            continue
        bodies: dict[str, str] = {}
        while True:  # each one received is hidden for a minute, so the next receive brings others
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
            if not got.get("Messages"):
                break
            bodies.update({m["MessageId"]: m["Body"] for m in got["Messages"]})
        dead_letters[name] = list(bodies.values())
    return StoredState(items, dead_letters, queued)
