"""SeenTextsTable: the first author and product of each text fingerprint; the first writer wins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from otklik.adapters.dynamo import from_item, put_if_absent
from otklik.domain.models import TextOrigin

# A text is compared with the past year's: older items expire (the table's TTL).
REMEMBERED_FOR = timedelta(days=365)


class SeenTextStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def first_seen(self, origin: TextOrigin, now: datetime) -> TextOrigin:
        """origin when its fingerprint is new (it is stored), else the origin stored before it.

        A redelivery of the first item finds its own origin, so it is never "seen before"."""
        document: dict[str, Any] = {
            key: value for key, value in origin.model_dump().items() if value is not None
        }
        document["expires_at"] = int((now + REMEMBERED_FOR).timestamp())
        if put_if_absent(self._client, self._table, document, "fingerprint"):
            return origin
        answer = self._client.get_item(
            TableName=self._table, Key={"fingerprint": {"S": origin.fingerprint}}, ConsistentRead=True
        )
        if "Item" not in answer:  # expired between the put and the get: this one is the first now
            return origin
        stored = from_item(answer["Item"])
        stored.pop("expires_at", None)
        return TextOrigin.model_validate(stored)
