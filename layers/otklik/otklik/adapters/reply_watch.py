"""Published replies waiting to be read back from their marketplace (otklik.usecases.read_back): one item per
reply in TicketsTable, on the by_deadline index with its own watch value, so a poll reads only the replies
due a look now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import from_item, is_condition_failure, model_to_document, to_item
from otklik.domain.replies.watch import ReadBackDue
from otklik.domain.timefmt import iso_seconds

READ_BACK_SK = "READ_BACK"
# The by_deadline index's partition for replies to read back (the SLA sweep's is "first_response").
READ_BACK_WATCH = "reply_read_back"


class ReplyWatch:
    """The ReplyWatch port: pk REPLY#<reply id>, sk READ_BACK, `entry` the ReadBackDue, `sla_watch` and
    `due_at` its next look."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _key(self, reply_id: str) -> dict[str, Any]:
        return {"pk": {"S": f"REPLY#{reply_id}"}, "sk": {"S": READ_BACK_SK}}

    def watch(self, due: ReadBackDue) -> None:
        """Look at the reply at due.due_at (again: a later look replaces the earlier one)."""
        document = {
            "pk": f"REPLY#{due.reply.reply_id}",
            "sk": READ_BACK_SK,
            "entry": model_to_document(due),
            "sla_watch": READ_BACK_WATCH,
            "due_at": iso_seconds(due.due_at),
        }
        self._client.put_item(TableName=self._table, Item=to_item(document))

    def due(self, now: datetime, limit: int) -> list[ReadBackDue]:
        """Up to `limit` replies due a look by now, soonest first."""
        query = {
            "TableName": self._table,
            "IndexName": "by_deadline",
            "KeyConditionExpression": "sla_watch = :watch AND due_at <= :now",
            "ExpressionAttributeValues": {":watch": {"S": READ_BACK_WATCH}, ":now": {"S": iso_seconds(now)}},
        }
        answer = self._client.query(**query, Limit=limit)
        found: list[ReadBackDue] = []
        for key in (from_item(item) for item in answer.get("Items", [])):
            answer = self._client.get_item(TableName=self._table, Key=self._key_of(key), ConsistentRead=True)
            if "Item" in answer:
                found.append(ReadBackDue.model_validate(from_item(answer["Item"])["entry"]))
        return found

    def _key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return self._key(str(item["pk"]).removeprefix("REPLY#"))

    def done(self, reply_id: str) -> None:
        """Watched no more: taken off the index (no function deletes from TicketsTable), the last look kept;
        a reply never watched is nothing to do."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(reply_id),
                UpdateExpression="REMOVE sla_watch, due_at",
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
