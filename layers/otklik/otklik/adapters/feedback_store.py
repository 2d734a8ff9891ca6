"""FeedbackTable: feedback items, written once under a condition; duplicates counted; a day's items, and its
rated reviews for training (both a Query of the by_day index)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from otklik.adapters.dynamo import from_image, from_item, model_to_document, put_if_absent
from otklik.adapters.pages import PageKey, query_page
from otklik.domain.learning import RatedReview
from otklik.domain.models import FeedbackItem
from otklik.ports import Page

# Attributes only FeedbackTable needs (index key, delivery counter); not part of FeedbackItem.
STORAGE_ONLY = ("received_sk", "deliveries")
# The key of an item in the by_day index: the table's own key and the index's.
BY_DAY_KEY = frozenset({"id", "day", "received_sk"})
# What training reads of a rated review.
TRAINING_ATTRIBUTES = ("id", "account", "text", "pros", "cons", "rating", "lang", "day")


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in STORAGE_ONLY}


def feedback_from_document(document: dict[str, Any]) -> FeedbackItem:
    """A stored document (a table item or a stream image as plain Python) as the domain's item."""
    return FeedbackItem.model_validate(_public(document))


def feedback_from_image(image: dict[str, Any]) -> FeedbackItem:
    """A FeedbackTable stream image (Powertools-deserialized, numbers as Decimal) as the domain's item."""
    return feedback_from_document(from_image(image))


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

    def _get(self, feedback_id: str) -> dict[str, Any] | None:
        answer = self._client.get_item(
            TableName=self._table, Key={"id": {"S": feedback_id}}, ConsistentRead=True
        )
        return from_item(answer["Item"]) if "Item" in answer else None

    def get(self, feedback_id: str) -> dict[str, Any] | None:
        """The item as the ops API shows it: its fields without the table's own bookkeeping."""
        document = self._get(feedback_id)
        return _public(document) if document else None

    def get_item(self, feedback_id: str) -> FeedbackItem | None:
        document = self._get(feedback_id)
        return feedback_from_document(document) if document else None

    def items_of_day(self, day: str, limit: int) -> list[FeedbackItem]:
        """Up to `limit` of the day's items (the by_day index), as the domain's items."""
        page = self.list_day(day, limit, None)
        return [feedback_from_document(document) for document in page.items]

    def list_day(self, day: str, limit: int, cursor: str | None) -> Page:
        query = {
            "TableName": self._table,
            "IndexName": "by_day",
            "KeyConditionExpression": "#day = :day",
            "ExpressionAttributeNames": {"#day": "day"},
            "ExpressionAttributeValues": {":day": {"S": day}},
        }
        page = query_page(self._client, query, PageKey(BY_DAY_KEY, ("day", day)), limit, cursor)
        return Page(items=[_public(item) for item in page.items], next_cursor=page.next_cursor)

    def rated_reviews_of_day(self, day: str) -> Iterator[RatedReview]:
        """The day's reviews with stars (the by_day index, newest received first, every page), as training
        reads them: only the attributes it needs come back, and DynamoDB leaves out the other kinds and
        the reviews without stars (they are read, and paid for, all the same: by_day has no kind key)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by_day",
            "KeyConditionExpression": "#day = :day",
            "FilterExpression": "#kind = :review AND attribute_exists(#rating)",
            # Every attribute by a placeholder: text and day are reserved words of DynamoDB's expressions.
            "ProjectionExpression": ", ".join(f"#{name}" for name in TRAINING_ATTRIBUTES),
            "ExpressionAttributeNames": {f"#{name}": name for name in (*TRAINING_ATTRIBUTES, "kind")},
            "ExpressionAttributeValues": {":day": {"S": day}, ":review": {"S": "review"}},
            "ScanIndexForward": False,
        }
        while True:
            answer = self._client.query(**request)
            for item in answer.get("Items", []):
                document = from_item(item)
                # The text as tonality reads it (FeedbackFields.full_text): text, pros and cons.
                text = "\n".join(part for part in (document.get(k) for k in ("text", "pros", "cons")) if part)
                if text.strip():
                    yield RatedReview(
                        feedback_id=document["id"],
                        account=document["account"],
                        text=text,
                        rating=int(document["rating"]),
                        lang=str(document.get("lang", "")),
                        day=document["day"],
                    )
            if "LastEvaluatedKey" not in answer:
                return
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
