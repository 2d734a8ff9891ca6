"""Webhook receipts in IdempotencyTable: remembers which feedback ids were already enqueued."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


class WebhookReceipts:
    def __init__(self, client: Any, table: str, ttl: timedelta) -> None:
        self._client = client
        self._table = table
        self._ttl = ttl

    @staticmethod
    def _key(feedback_id: str) -> dict[str, Any]:
        return {"id": {"S": f"receipt#{feedback_id}"}}

    def seen(self, feedback_id: str, now: datetime) -> bool:
        answer = self._client.get_item(TableName=self._table, Key=self._key(feedback_id), ConsistentRead=True)
        item = answer.get("Item")
        # DynamoDB deletes expired items lazily, so an expired receipt may still be read: ignore it.
        return bool(item) and int(item["expiration"]["N"]) > now.timestamp()

    def record(self, feedback_id: str, now: datetime) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                **self._key(feedback_id),
                "received_at": {"S": now.isoformat()},
                "expiration": {"N": str(int((now + self._ttl).timestamp()))},
            },
        )
