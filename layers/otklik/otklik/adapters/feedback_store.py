"""FeedbackTable: feedback items, written once under a condition; duplicates counted."""

from __future__ import annotations

from typing import Any

from otklik.adapters.dynamo import from_item, model_to_document, put_if_absent
from otklik.adapters.pages import Page, query_page
from otklik.documents import feedback_from_document
from otklik.models import FeedbackItem


class FeedbackStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put_new(self, item: FeedbackItem) -> bool:
        """Store item unless its id is stored already; then count the extra delivery. True if new."""
        document = model_to_document(item)
        document["received_sk"] = f"{item.received_at.isoformat()}#{item.id}"
        document["deliveries"] = 1
        if put_if_absent(self._client, self._table, document, "id"):
            return True
        self._client.update_item(
            TableName=self._table,
            Key={"id": {"S": item.id}},
            UpdateExpression="ADD deliveries :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        return False

    def get(self, feedback_id: str) -> dict[str, Any] | None:
        answer = self._client.get_item(
            TableName=self._table, Key={"id": {"S": feedback_id}}, ConsistentRead=True
        )
        return from_item(answer["Item"]) if "Item" in answer else None

    def get_item(self, feedback_id: str) -> FeedbackItem | None:
        document = self.get(feedback_id)
        return feedback_from_document(document) if document else None

    def list_day(self, day: str, limit: int, cursor: str | None) -> Page:
        query = {
            "TableName": self._table,
            "IndexName": "by_day",
            "KeyConditionExpression": "#day = :day",
            "ExpressionAttributeNames": {"#day": "day"},
            "ExpressionAttributeValues": {":day": {"S": day}},
        }
        return query_page(self._client, query, limit, cursor)
