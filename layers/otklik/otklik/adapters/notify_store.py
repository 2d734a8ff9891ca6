"""What notifications wait for, in TicketsTable: deliveries held until a time, rate caps, digests.

- A waiting delivery (quiet hours, or a retry further off than SQS can delay): pk
  WAIT#<notification id>#<key>, sk WAIT, the notification and its delivery key; on the by_deadline index
  (partition "notify_due") until it is released, then taken off the index (no function deletes from
  TicketsTable; TTL expires it).
- A rate cap: pk CAP#<recipient>#<channel>, sk CAP, `window_start` and `sent` (UpdateItem ADD, conditional
  on the window and the cap, so concurrent deliveries never pass the cap together).
- A digest: pk DIGEST#<recipient>#<channel>#<window start>, sk DIGEST, the notification ids it stands for (a
  string set: adding one twice counts it once) and a counter per event (`e:<event>`) and topic
  (`t:<topic>`); on the index at the window's end, then taken off it once told.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import from_item, is_condition_failure, model_to_document, to_item
from otklik.domain.models import Notification
from otklik.domain.notify.plan import DigestCounts
from otklik.domain.timefmt import iso_seconds
from otklik.ports import DigestDue, WaitingDelivery

NOTIFY_WATCH = "notify_due"
KEEP_DAYS = 30  # how long a released wait, a cap or a told digest stays before TTL takes it


def _expires(now: datetime) -> dict[str, str]:
    return {"N": str(int((now + timedelta(days=KEEP_DAYS)).timestamp()))}


class NotifyStore:
    """The DeliveryWaits, RateCaps and Digests ports on TicketsTable."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    # ------------------------------------------------------------ waiting deliveries

    def wait(self, notification: Notification, key: str, until: datetime, attempt: int, reason: str) -> None:
        """Hold the delivery `key` of the notification until `until` (a later wait replaces the earlier)."""
        document = {
            "pk": f"WAIT#{notification.id}#{key}",
            "sk": "WAIT",
            "notification": model_to_document(notification),
            "key": key,
            "attempt": attempt,
            "reason": reason,
            "sla_watch": NOTIFY_WATCH,
            "due_at": iso_seconds(until),
            "expires_at": int((until + timedelta(days=KEEP_DAYS)).timestamp()),
        }
        self._client.put_item(TableName=self._table, Item=to_item(document))

    def _due_keys(self, now: datetime, prefix: str, limit: int) -> list[dict[str, Any]]:
        query = {
            "TableName": self._table,
            "IndexName": "by_deadline",
            "KeyConditionExpression": "sla_watch = :watch AND due_at <= :now",
            "ExpressionAttributeValues": {":watch": {"S": NOTIFY_WATCH}, ":now": {"S": iso_seconds(now)}},
        }
        found: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while len(found) < limit:
            answer = self._client.query(**query, **({"ExclusiveStartKey": start} if start else {}))
            found.extend(
                {"pk": item["pk"], "sk": item["sk"]}
                for item in answer.get("Items", [])
                if item["pk"]["S"].startswith(prefix)
            )
            start = answer.get("LastEvaluatedKey")
            if not start:
                break
        return found[:limit]

    def _read(self, key: dict[str, Any]) -> dict[str, Any] | None:
        answer = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        return from_item(answer["Item"]) if "Item" in answer else None

    def waiting(self, now: datetime, limit: int) -> list[WaitingDelivery]:
        """Up to `limit` deliveries whose wait is over by now, soonest first."""
        found: list[WaitingDelivery] = []
        for key in self._due_keys(now, "WAIT#", limit):
            item = self._read(key)
            if item is None or "due_at" not in item:
                continue
            found.append(
                WaitingDelivery(
                    notification=Notification.model_validate(item["notification"]),
                    key=str(item["key"]),
                    attempt=int(item.get("attempt", 0)),
                    reason=str(item.get("reason", "")),
                    due_at=datetime.fromisoformat(str(item["due_at"])),
                )
            )
        return found

    def released(self, waiting: WaitingDelivery) -> bool:
        """Off the index, if it still waits for the time it was read with (False: waited again since)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"WAIT#{waiting.notification.id}#{waiting.key}"}, "sk": {"S": "WAIT"}},
                UpdateExpression="REMOVE sla_watch, due_at",
                ConditionExpression="due_at = :due",
                ExpressionAttributeValues={":due": {"S": iso_seconds(waiting.due_at)}},
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    # ------------------------------------------------------------ rate caps

    def take(
        self, recipient: str, channel: str, messages: int, minutes: int, now: datetime
    ) -> datetime | None:
        """Count one message against the cap: None when it may go now; the open window's start when the
        window already holds `messages` (the message is the window's digest's)."""
        key = {"pk": {"S": f"CAP#{recipient}#{channel}"}, "sk": {"S": "CAP"}}
        cutoff = iso_seconds(now - timedelta(minutes=minutes))
        for _ in range(3):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="ADD sent :one",
                    ConditionExpression="window_start > :cutoff AND sent < :max",
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":cutoff": {"S": cutoff},
                        ":max": {"N": str(messages)},
                    },
                )
                return None
            except ClientError as error:
                if not is_condition_failure(error):
                    raise
            item = self._read(key)
            if item is not None and str(item.get("window_start", "")) > cutoff:
                return datetime.fromisoformat(str(item["window_start"]))  # the window is full
            try:  # no window, or it is over: this message opens the next one
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        **key,
                        "window_start": {"S": iso_seconds(now)},
                        "sent": {"N": "1"},
                        "expires_at": _expires(now),
                    },
                    ConditionExpression="attribute_not_exists(pk) OR window_start <= :cutoff",
                    ExpressionAttributeValues={":cutoff": {"S": cutoff}},
                )
                return None
            except ClientError as error:
                if not is_condition_failure(error):
                    raise  # another delivery opened it first: count against that window
        raise RuntimeError("rate cap kept changing under three tries")

    # ------------------------------------------------------------ dead-letter queues

    def open_episode(self, queue: str, now: datetime) -> bool:
        """The queue holds messages: True when that starts an episode now (told once), False when one is
        open already. pk DLQ#<queue>, sk EPISODE, `since`."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"DLQ#{queue}"}, "sk": {"S": "EPISODE"}},
                UpdateExpression="SET since = :now",
                ConditionExpression="attribute_not_exists(since)",
                ExpressionAttributeValues={":now": {"S": iso_seconds(now)}},
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def close_episode(self, queue: str) -> None:
        """The queue is empty: the next message starts a new episode."""
        self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": f"DLQ#{queue}"}, "sk": {"S": "EPISODE"}},
            UpdateExpression="REMOVE since",
        )

    # ------------------------------------------------------------ digests

    @staticmethod
    def _digest_pk(recipient: str, channel: str, window_start: datetime) -> str:
        return f"DIGEST#{recipient}#{channel}#{iso_seconds(window_start)}"

    def add_to_digest(
        self,
        recipient: str,
        channel: str,
        window_start: datetime,
        minutes: int,
        notification: Notification,
    ) -> bool:
        """Count the notification in its window's digest, once (False: it was counted already)."""
        topics = tuple(dict.fromkeys((notification.ticket or {}).get("topics") or ()))
        names = {"#e": f"e:{notification.event}"}
        names.update({f"#t{index}": f"t:{topic}" for index, topic in enumerate(topics)})
        adds = ", ".join(["ids :id", "#e :one", *(f"#t{index} :one" for index in range(len(topics)))])
        due = window_start + timedelta(minutes=minutes)
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": self._digest_pk(recipient, channel, window_start)}, "sk": {"S": "DIGEST"}},
                UpdateExpression=f"ADD {adds} SET recipient = :recipient, channel = :channel,"
                " minutes = :minutes, sla_watch = if_not_exists(sla_watch, :watch),"
                " due_at = if_not_exists(due_at, :due), expires_at = :expires",
                ConditionExpression="NOT contains(ids, :one_id) AND attribute_not_exists(told_at)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":id": {"SS": [notification.id]},
                    ":one_id": {"S": notification.id},
                    ":one": {"N": "1"},
                    ":recipient": {"S": recipient},
                    ":channel": {"S": channel},
                    ":minutes": {"N": str(minutes)},
                    ":watch": {"S": NOTIFY_WATCH},
                    ":due": {"S": iso_seconds(due)},
                    ":expires": _expires(due),
                },
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def digests_due(self, now: datetime, limit: int) -> list[DigestDue]:
        found: list[DigestDue] = []
        for key in self._due_keys(now, "DIGEST#", limit):
            item = self._read(key)
            if item is None or "due_at" not in item:
                continue
            counts = DigestCounts(
                events={k[2:]: int(v) for k, v in item.items() if k.startswith("e:")},
                topics={k[2:]: int(v) for k, v in item.items() if k.startswith("t:")},
            )
            found.append(
                DigestDue(
                    id=str(item["pk"]).removeprefix("DIGEST#"),
                    recipient=str(item["recipient"]),
                    channel=str(item["channel"]),
                    minutes=int(item["minutes"]),
                    counts=counts,
                    due_at=datetime.fromisoformat(str(item["due_at"])),
                    attempts=int(item.get("attempts", 0)),
                )
            )
        return found

    def postpone_digest(self, digest: DigestDue, until: datetime) -> None:
        """Due again at `until` (the end of its recipient's quiet hours), its tries as they were."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"DIGEST#{digest.id}"}, "sk": {"S": "DIGEST"}},
                UpdateExpression="SET due_at = :next",
                ConditionExpression="due_at = :due",
                ExpressionAttributeValues={
                    ":next": {"S": iso_seconds(until)},
                    ":due": {"S": iso_seconds(digest.due_at)},
                },
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise

    def digest_tried(self, digest: DigestDue, result: dict[str, Any], retry_at: datetime | None) -> None:
        """Keep what the channel did with the digest: again at retry_at, or told (off the index) for good."""
        key = {"pk": {"S": f"DIGEST#{digest.id}"}, "sk": {"S": "DIGEST"}}
        values: dict[str, Any] = {
            ":result": to_item({"r": result})["r"],
            ":one": {"N": "1"},
            ":due": {"S": iso_seconds(digest.due_at)},
        }
        if retry_at is None:
            expression = "SET #result = :result, told_at = :told ADD attempts :one REMOVE sla_watch, due_at"
            values[":told"] = {"S": str(result.get("at", ""))}
        else:
            expression = "SET #result = :result, due_at = :next ADD attempts :one"
            values[":next"] = {"S": iso_seconds(retry_at)}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=expression,
                ConditionExpression="due_at = :due",
                ExpressionAttributeNames={"#result": "result"},
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise  # another run took it first: its outcome stands
