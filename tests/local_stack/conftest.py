"""Fixtures of the local stack's own tests: a tiny SAM application, and that application running locally."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.stack import LocalStack
from tests.local_stack.paths import FIXTURE_TEMPLATE


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """The fixture application on free ports; failed messages and stream batches are retried at once."""
    with LocalStack(FIXTURE_TEMPLATE, stack_name=f"fixture-{uuid.uuid4().hex[:8]}", retry_delay=0) as running:
        yield running


class Ledger:
    """What the fixture functions wrote down about each delivery they got."""

    def __init__(self, stack: LocalStack) -> None:
        self._table = (
            stack.session()
            .resource("dynamodb", endpoint_url=stack.aws_url)
            .Table(stack.resources.physical_id("LedgerTable"))
        )

    def deliveries(self, pk: str) -> list[dict[str, Any]]:
        """The deliveries recorded under pk, in order, each with its event record decoded."""
        items = self._table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": pk})[
            "Items"
        ]
        items.sort(key=lambda item: int(str(item["sk"])))
        return [{**item, "record": json.loads(str(item["record"]))} for item in items]


@pytest.fixture
def ledger(stack: LocalStack) -> Ledger:
    return Ledger(stack)


@pytest.fixture
def unique() -> str:
    """A fresh id, so tests sharing one stack never see each other's messages or items."""
    return uuid.uuid4().hex[:10]
