"""moto's TransactWriteItems, rolling back only the items a transaction touches (installed by the stack).

moto 5's `DynamoDBBackend.transact_write_items` deep-copies every table a transaction names before it
starts, so it can put the copy back if the transaction is cancelled. Its cost grows with the table:
update_aggregates writes a marker per feedback item into AggregatesTable, so over 2,000 webhooks each
call got slower and the copies took gigabytes. This is the same algorithm (same checks in the same
order, same errors, same cancellation reasons) with one change: before an operation writes, the one
item it targets (at most one operation per item, which the uniqueness check enforces) is copied,
and so is the length of its table's stream; a cancelled transaction puts those items back (or removes
the ones it created) and drops the stream records it added. A transaction costs what it touches.

What it does not change, as in moto: writes of other clients in the middle of a transaction are
not isolated from it (moto has no locks), and a stream reader may see a record of a transaction that
is then cancelled in the instant between the write and the rollback.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from infra.local.process_patch import ProcessPatch

MAX_TRANSACTION_ITEMS = 100


class TouchedItems:
    """The items a transaction is about to write, as they were, and where each table's stream ended."""

    def __init__(self) -> None:
        self._items: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = []
        self._stream_lengths: dict[int, tuple[Table, int]] = {}

    def remember(self, table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
        self._items.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        if id(table) not in self._stream_lengths and table.stream_shard is not None:
            self._stream_lengths[id(table)] = (table, len(table.stream_shard.items))

    def restore(self) -> None:
        """Put every remembered item back as it was, and drop the stream records written since."""
        for table, hash_key, range_key, original in reversed(self._items):
            if range_key is None:
                if original is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = original  # type: ignore[assignment]
                continue
            partition = table.items[hash_key]
            if original is None:
                partition.pop(range_key, None)
                if not partition:
                    del table.items[hash_key]
            else:
                partition[range_key] = original
        for table, length in self._stream_lengths.values():
            shard = table.stream_shard
            if shard is not None and len(shard.items) >= length:
                del shard.items[length:]


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5's transact_write_items (moto/dynamodb/models/__init__.py) with an item-level rollback."""
    if len(transact_items) > MAX_TRANSACTION_ITEMS:
        raise TooManyTransactionsException()
    touched = TouchedItems()
    targets: set[tuple[str, str]] = set()
    reasons: list[tuple[str, str, dict[str, Any] | None] | tuple[None, None, None]] = []
    for item in transact_items:
        if len(list(item.keys())) > 1:
            touched.restore()  # moto raises here without undoing the operations before it
            raise TransactWriteSingleOpException
        try:
            _operation(self, item, touched, targets)
            reasons.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            touched.restore()
            raise
        except ConditionalCheckFailed as error:
            reasons.append(("ConditionalCheckFailed", str(error.message), _old_item(error)))
        except Exception as error:  # noqa: BLE001 -- as moto: any other failure is this item's cancellation reason
            reasons.append((type(error).__name__, str(error), None))
    if any(code is not None for code, _, _ in reasons):
        touched.restore()
        raise TransactionCanceledException(reasons)


def _operation(
    self: DynamoDBBackend, item: dict[str, Any], touched: TouchedItems, targets: set[tuple[str, str]]
) -> None:
    """Check and apply one entry of a transaction, remembering the item it writes first."""
    op_type, op = next(iter(item.items()))
    if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
        raise ValueError("Unsupported transaction operation")
    table_name = op["TableName"]
    if op_type == "Put":
        table = self.get_table(table_name)
        key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = op["Item"][table.range_key_attr]
    else:
        key = op["Key"]
    target = (str(table_name), str(dict(sorted(key.items()))))
    if target in targets:
        raise MultipleTransactionsException()
    targets.add(target)
    current = self.get_item(table_name, key)
    condition = op.get("ConditionExpression")
    if condition is not None:
        check = get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if not check.expr(current):
            wants_old = op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current
            raise _ConditionFailed(current.to_json()["Attributes"] if wants_old and current else None)
    if op_type != "ConditionCheck":
        # The one change: copy the item this operation writes, not the whole table.
        table = self.get_table(table_name)
        touched.remember(table, *self.get_keys_value(table, key))
        _write(self, op_type, op, key)


class _ConditionFailed(ConditionalCheckFailed):
    """ConditionalCheckFailed that keeps the old item for the cancellation reason (ALL_OLD)."""

    def __init__(self, old_item: dict[str, Any] | None) -> None:
        super().__init__(item=old_item)
        self.old_item = old_item


def _old_item(error: ConditionalCheckFailed) -> dict[str, Any] | None:
    return error.old_item if isinstance(error, _ConditionFailed) else None


def _write(self: DynamoDBBackend, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    """One Put, Delete or Update of a transaction, as moto applies it."""
    expressions: dict[str, Any] = {
        "condition_expression": op.get("ConditionExpression"),
        "expression_attribute_names": op.get("ExpressionAttributeNames"),
        "expression_attribute_values": op.get("ExpressionAttributeValues"),
    }
    if op_type == "Put":
        self.put_item(op["TableName"], op["Item"], **expressions)
    elif op_type == "Delete":
        self.delete_item(op["TableName"], key, **expressions)
    else:
        self.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], **expressions)


# Installed by each LocalStack.start (and released by its stop), while any stack runs.
PATCH = ProcessPatch(DynamoDBBackend, "transact_write_items", transact_write_items)
