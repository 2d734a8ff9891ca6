"""FeedbackTable: feedback items, written once under a condition; duplicates counted."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import from_item, model_to_document, to_item
from otklik.adapters.pages import Page, decode_cursor, encode_cursor
from otklik.documents import feedback_from_document
from otklik.models import FeedbackItem


def _is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class FeedbackStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put_new(self, item: FeedbackItem) -> bool:
        """Store item unless its id is stored already; then count the extra delivery. True if new."""
        document = model_to_document(item)
        document["received_sk"] = f"{item.received_at.isoformat()}#{item.id}"
        document["deliveries"] = 1
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(document),
                ConditionExpression="attribute_not_exists(id)",
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            self._client.update_item(
                TableName=self._table,
                Key={"id": {"S": item.id}},
                UpdateExpression="ADD deliveries :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            return False
        return True

    def get(self, feedback_id: str) -> dict[str, Any] | None:
        answer = self._client.get_item(
            TableName=self._table, Key={"id": {"S": feedback_id}}, ConsistentRead=True
        )
        return from_item(answer["Item"]) if "Item" in answer else None

    def get_item(self, feedback_id: str) -> FeedbackItem | None:
        document = self.get(feedback_id)
        return feedback_from_document(document) if document else None

    def list_day(self, day: str, limit: int, cursor: str | None) -> Page:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by_day",
            "KeyConditionExpression": "#day = :day",
            "ExpressionAttributeNames": {"#day": "day"},
            "ExpressionAttributeValues": {":day": {"S": day}},
            "Limit": limit,
        }
        start = decode_cursor(cursor)
        if start:
            query["ExclusiveStartKey"] = start
        answer = self._client.query(**query)
        return Page(
            items=[from_item(item) for item in answer.get("Items", [])],
            next_cursor=encode_cursor(answer.get("LastEvaluatedKey")),
        )
