"""CursorsTable: where each marketplace connection's polls resume, moved forward only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import is_condition_failure
from otklik.domain.marketplaces.models import StoredCursor

POLL_KEY = "#poll"


class CursorMoved(Exception):
    """Another poll moved this cursor since it was read: this poll's page is not recorded twice."""


class CursorStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, connection: str, stream: str) -> StoredCursor:
        answer = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": connection}, "sk": {"S": stream}}, ConsistentRead=True
        )
        item = answer.get("Item")
        if not item:
            return StoredCursor({}, 0)
        return StoredCursor(json.loads(item["cursor"]["S"]), int(item["version"]["N"]))

    def save(
        self, connection: str, stream: str, cursor: dict[str, Any], read: StoredCursor, now: datetime
    ) -> int:
        """Store the cursor if nobody moved it since `read`; the new version."""
        version = read.version + 1
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": connection},
                    "sk": {"S": stream},
                    "cursor": {"S": json.dumps(cursor, sort_keys=True)},
                    "version": {"N": str(version)},
                    "updated_at": {"S": now.isoformat()},
                },
                ConditionExpression="attribute_not_exists(pk) OR version = :read",
                ExpressionAttributeValues={":read": {"N": str(read.version)}},
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise CursorMoved(f"{connection}/{stream} moved since it was read") from error
            raise
        return version

    def last_polled(self, connection: str) -> datetime | None:
        answer = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": connection}, "sk": {"S": POLL_KEY}}, ConsistentRead=True
        )
        item = answer.get("Item")
        return datetime.fromisoformat(item["at"]["S"]) if item else None

    def record_poll(self, connection: str, now: datetime) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={"pk": {"S": connection}, "sk": {"S": POLL_KEY}, "at": {"S": now.isoformat()}},
        )
