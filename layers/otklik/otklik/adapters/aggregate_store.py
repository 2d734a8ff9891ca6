"""AggregatesTable: a batch's counters applied in transactions with the markers of its items, so each item
counts once, and each counter is written once per transaction (the batch's sum).

Items: pk APPLIED#<marker>, sk marker (conditional put: the update's exactly-once guard, with a TTL); pk
<period> (DAY#2026-11-22, WEEK#2026-W47, MONTH#2026-11), sk <dimension> (all~0..3 and source#x~0..3 are the
hot counters spread over shards; the others as they are), the counters ADDed. A period reads with one Query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.pages import query_all
from otklik.domain.aggregates import AggregateUpdate, CounterKey, add_up, shard_of, sum_batch, unsharded

# TransactWriteItems takes at most 100 actions: markers and counters of one transaction together.
MAX_ACTIONS = 100


def _chunks(updates: Sequence[AggregateUpdate]) -> list[list[AggregateUpdate]]:
    """Updates in order, grouped so that each group's markers and distinct counters fit one transaction."""
    chunks: list[list[AggregateUpdate]] = []
    current: list[AggregateUpdate] = []
    keys: set[CounterKey] = set()
    for update in updates:
        grown = keys | set(update.counters)
        if current and len(current) + 1 + len(grown) > MAX_ACTIONS:
            chunks.append(current)
            current, grown = [], set(update.counters)
        current.append(update)
        keys = grown
    if current:
        chunks.append(current)
    return chunks


class AggregateStore:
    def __init__(self, client: Any, table: str, marker_ttl: timedelta) -> None:
        self._client = client
        self._table = table
        self._marker_ttl = marker_ttl

    def apply(self, update: AggregateUpdate, now: datetime) -> bool:
        """Apply one update unless its marker shows it was applied; True if this call applied it."""
        return bool(self.apply_batch([update], now))

    def apply_batch(self, updates: Sequence[AggregateUpdate], now: datetime) -> set[str]:
        """Apply every update not applied before, summed per counter; the markers this call applied."""
        applied: set[str] = set()
        for chunk in _chunks(updates):
            applied |= self._transact(chunk, now)
        return applied

    def _marker(self, update: AggregateUpdate, now: datetime) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "pk": {"S": f"APPLIED#{update.applied_marker}"},
                    "sk": {"S": "marker"},
                    "expires_at": {"N": str(int((now + self._marker_ttl).timestamp()))},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _counter(self, key: CounterKey, increments: dict[str, int]) -> dict[str, Any]:
        names = {f"#c{i}": name for i, name in enumerate(increments)}
        values = {f":v{i}": {"N": str(amount)} for i, amount in enumerate(increments.values())}
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": key.period}, "sk": {"S": key.dimension}},
                "UpdateExpression": "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(increments))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _transact(self, chunk: list[AggregateUpdate], now: datetime) -> set[str]:
        """One transaction: the markers, then the chunk's summed counters. A marker found applied (a batch
        delivered again) takes its update out, and the rest is tried again without it."""
        while chunk:
            salt = chunk[0].applied_marker
            summed: dict[CounterKey, dict[str, int]] = {}
            for key, increments in sum_batch(chunk).items():
                cell = summed.setdefault(shard_of(key, salt), {})
                for name, amount in increments.items():
                    cell[name] = cell.get(name, 0) + amount
            actions = [self._marker(update, now) for update in chunk]
            actions += [self._counter(key, increments) for key, increments in summed.items() if increments]
            try:
                self._client.transact_write_items(TransactItems=actions)
            except ClientError as error:
                reasons = error.response.get("CancellationReasons", [])
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                done = {
                    index
                    for index, reason in enumerate(reasons[: len(chunk)])
                    if reason.get("Code") == "ConditionalCheckFailed"
                }
                others = [
                    reason
                    for index, reason in enumerate(reasons)
                    if index not in done and reason.get("Code") not in (None, "None")
                ]
                if not done or others:
                    raise  # not (only) markers already applied: a conflict or throttling, retried whole
                chunk = [update for index, update in enumerate(chunk) if index not in done]
                continue
            return {update.applied_marker for update in chunk}
        return set()

    def period(self, period: str) -> dict[str, dict[str, int]]:
        """Every dimension's counters of one period, shards added up: DAY#2026-11-22 -> {"all": {...}}."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": period}},
        }
        stored: dict[str, dict[str, int]] = {}
        for document in query_all(self._client, query):
            dimension = str(document.pop("sk"))
            document.pop("pk")
            stored[dimension] = {name: int(value) for name, value in document.items()}
        return add_up(stored)

    def dimension(self, period: str, dimension: str) -> dict[str, int]:
        """One dimension's counters of a period (its shards added up), without reading the others."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :dimension)",
            "ExpressionAttributeValues": {":pk": {"S": period}, ":dimension": {"S": dimension}},
        }
        stored: dict[str, dict[str, int]] = {}
        for document in query_all(self._client, query):
            found = str(document.pop("sk"))
            document.pop("pk")
            if unsharded(found) == dimension:
                stored[found] = {name: int(value) for name, value in document.items()}
        return add_up(stored).get(dimension, {})
