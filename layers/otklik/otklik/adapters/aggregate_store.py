"""AggregatesTable: counters applied in one transaction with a marker, so each update counts once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.pages import query_all
from otklik.domain.aggregates import AggregateUpdate


class AggregateStore:
    def __init__(self, client: Any, table: str, marker_ttl: timedelta) -> None:
        self._client = client
        self._table = table
        self._marker_ttl = marker_ttl

    def apply(self, update: AggregateUpdate, now: datetime) -> bool:
        """Apply update unless its marker shows it was applied; True if this call applied it."""
        names = {f"#c{i}": name for i, name in enumerate(update.increments)}
        values = {f":v{i}": {"N": str(amount)} for i, amount in enumerate(update.increments.values())}
        expression = "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(update.increments)))
        marker = {
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
        counters = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": key.period}, "sk": {"S": key.dimension}},
                    "UpdateExpression": expression,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
            for key in update.keys
        ]
        try:
            self._client.transact_write_items(TransactItems=[marker, *counters])
        except ClientError as error:
            reasons = error.response.get("CancellationReasons", [])
            already_applied = bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"
            if (
                error.response.get("Error", {}).get("Code") == "TransactionCanceledException"
                and already_applied
            ):
                return False
            raise
        return True

    def period(self, period: str) -> dict[str, dict[str, int]]:
        """Every dimension's counters of one period, e.g. DAY#2026-11-22 -> {"all": {...}, ...}."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": period}},
        }
        found: dict[str, dict[str, int]] = {}
        for document in query_all(self._client, query):
            dimension = str(document.pop("sk"))
            document.pop("pk")
            found[dimension] = document
        return found
