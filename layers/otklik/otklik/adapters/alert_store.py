"""Spike alerts in AggregatesTable: pk ALERT, sk <day>#<key>, the alert (conditional put: one alert per
key and day); GET /alerts reads them newest first, and detection reads the cooldown's recent ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import from_item, is_condition_failure, model_to_document, to_item
from otklik.domain.alerts import SpikeAlert

PK = "ALERT"


class AlertStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, alert: SpikeAlert) -> bool:
        """Keep the alert once per key and day; False when it was kept already (a run done again)."""
        item = to_item(
            {"pk": PK, "sk": f"{alert.day.isoformat()}#{alert.key}", "alert": model_to_document(alert)}
        )
        try:
            self._client.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def since(self, day: date, limit: int = 200) -> list[SpikeAlert]:
        """The alerts of `day` and after, newest first (at most `limit`)."""
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk >= :from",
            ExpressionAttributeValues={":pk": {"S": PK}, ":from": {"S": day.isoformat()}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [SpikeAlert.model_validate(from_item(item)["alert"]) for item in answer.get("Items", [])]

    def last_alerted(self, since: date) -> dict[str, date]:
        """Each key's latest alert day since `since`."""
        found: dict[str, date] = {}
        for alert in self.since(since, limit=1000):
            found.setdefault(alert.key, alert.day)
        return found
