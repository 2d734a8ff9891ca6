"""TransactWriteItems on the local stack: all or nothing, at a cost that does not grow with the table."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamodb_backends

from infra.local.stack import LocalStack


def _stream_records(stack: LocalStack) -> int:
    streams = stack.client("dynamodbstreams")
    arn = stack.resources.record("ItemsTable").stream_arn
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return len(streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"])


class Tables:
    """The fixture's ItemsTable (id) and LedgerTable (pk, sk) as a transaction names them."""

    def __init__(self, stack: LocalStack) -> None:
        self.client = stack.client("dynamodb")
        self.items = stack.resources.physical_id("ItemsTable")
        self.ledger = stack.resources.physical_id("LedgerTable")

    def get(self, item_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.client.get_item(
            TableName=self.items, Key={"id": {"S": item_id}}
        ).get("Item")
        return item

    def ledger_entries(self, pk: str) -> list[dict[str, Any]]:
        query = {"TableName": self.ledger, "KeyConditionExpression": "pk = :pk"}
        entries: list[dict[str, Any]] = self.client.query(
            **query, ExpressionAttributeValues={":pk": {"S": pk}}
        )["Items"]
        return entries

    def transaction(self, prefix: str, *, last_condition_holds: bool) -> list[dict[str, Any]]:
        """Update a, put b, delete c, add a ledger entry in a new partition, then check d."""
        return [
            {
                "Update": {
                    "TableName": self.items,
                    "Key": {"id": {"S": f"{prefix}-a"}},
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Put": {"TableName": self.items, "Item": {"id": {"S": f"{prefix}-b"}, "kind": {"S": "new"}}}},
            {"Delete": {"TableName": self.items, "Key": {"id": {"S": f"{prefix}-c"}}}},
            {"Put": {"TableName": self.ledger, "Item": {"pk": {"S": f"{prefix}-ledger"}, "sk": {"S": "1"}}}},
            {
                "ConditionCheck": {
                    "TableName": self.items,
                    "Key": {"id": {"S": f"{prefix}-d" if last_condition_holds else f"{prefix}-missing"}},
                    "ConditionExpression": "attribute_exists(id)",
                }
            },
        ]


@pytest.fixture
def tables(stack: LocalStack) -> Tables:
    return Tables(stack)


@pytest.fixture
def prefix(tables: Tables) -> str:
    """Items a, c and d exist (a with n = 1); b and the ledger entry do not."""
    prefix = f"tx-{uuid.uuid4().hex[:8]}"
    for name, extra in (("a", {"n": {"N": "1"}}), ("c", {}), ("d", {})):
        tables.client.put_item(TableName=tables.items, Item={"id": {"S": f"{prefix}-{name}"}, **extra})
    return prefix


def test_a_cancelled_transaction_changes_no_item_and_adds_no_stream_record(
    stack: LocalStack, tables: Tables, prefix: str
) -> None:
    records_before = _stream_records(stack)

    # When a transaction's last condition fails after its writes were applied one by one
    with pytest.raises(ClientError) as cancelled:
        tables.client.transact_write_items(
            TransactItems=tables.transaction(prefix, last_condition_holds=False)
        )

    # Then it is cancelled for that condition alone
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    # And every item is as it was: updated, put, deleted, new partition
    assert tables.get(f"{prefix}-a") == {"id": {"S": f"{prefix}-a"}, "n": {"N": "1"}}
    assert tables.get(f"{prefix}-b") is None
    assert tables.get(f"{prefix}-c") is not None
    assert tables.ledger_entries(f"{prefix}-ledger") == []
    # And the stream says nothing happened
    assert _stream_records(stack) == records_before


def test_a_committed_transaction_applies_every_item_and_streams_each_change(
    stack: LocalStack, tables: Tables, prefix: str
) -> None:
    records_before = _stream_records(stack)

    tables.client.transact_write_items(TransactItems=tables.transaction(prefix, last_condition_holds=True))

    assert tables.get(f"{prefix}-a") == {"id": {"S": f"{prefix}-a"}, "n": {"N": "2"}}
    assert tables.get(f"{prefix}-b") == {"id": {"S": f"{prefix}-b"}, "kind": {"S": "new"}}
    assert tables.get(f"{prefix}-c") is None
    assert len(tables.ledger_entries(f"{prefix}-ledger")) == 1
    assert _stream_records(stack) == records_before + 3  # MODIFY a, INSERT b, REMOVE c


def test_a_transaction_refused_as_invalid_midway_leaves_nothing_behind(tables: Tables, prefix: str) -> None:
    new = {"id": {"S": f"{prefix}-twice"}}
    twice = [
        {"Put": {"TableName": tables.items, "Item": new}},
        {"Delete": {"TableName": tables.items, "Key": new}},
    ]

    with pytest.raises(ClientError) as refused:
        tables.client.transact_write_items(TransactItems=twice)

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert tables.get(f"{prefix}-twice") is None


@pytest.fixture
def small_and_large_tables(stack: LocalStack) -> Iterator[tuple[str, str]]:
    client = stack.client("dynamodb")
    names = (f"tx-small-{uuid.uuid4().hex[:6]}", f"tx-large-{uuid.uuid4().hex[:6]}")
    for name in names:
        client.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
    backend = dynamodb_backends[stack.template.account_id][stack.region]
    for n in range(3000):
        backend.put_item(names[1], {"pk": {"S": f"APPLIED#{n}"}, "expires_at": {"N": "1"}})
    yield names
    for name in names:
        client.delete_table(TableName=name)


def _median_transaction_seconds(stack: LocalStack, table: str) -> float:
    backend = dynamodb_backends[stack.template.account_id][stack.region]
    timings = []
    for _ in range(15):
        marker = {"pk": {"S": f"APPLIED#{uuid.uuid4().hex}"}}
        started = time.perf_counter()
        backend.transact_write_items(
            [{"Put": {"TableName": table, "Item": marker, "ConditionExpression": "attribute_not_exists(pk)"}}]
        )
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def test_a_transactions_cost_does_not_grow_with_its_table(
    stack: LocalStack, small_and_large_tables: tuple[str, str]
) -> None:
    small, large = small_and_large_tables

    on_small = _median_transaction_seconds(stack, small)
    on_large = _median_transaction_seconds(stack, large)

    # Copying a 3,000-item table per call (moto's own way) makes this a hundred times slower.
    assert on_large < 5 * on_small + 0.002
