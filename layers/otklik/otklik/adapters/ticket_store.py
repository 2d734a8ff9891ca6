"""TicketsTable: tickets (created once per feedback), their SLA watch, and their notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import from_item, is_condition_failure, model_to_document, put_if_absent, to_item
from otklik.adapters.pages import PageKey, query_all, query_page
from otklik.domain.models import ChannelResult, Notification, ReplyState, Ticket
from otklik.domain.timefmt import iso_seconds
from otklik.ports import Page

TICKET_SK = "TICKET"
FIRST_RESPONSE_WATCH = "first_response"
STORAGE_ONLY = ("pk", "sk", "sla_watch", "due_at")
# The key of an item in the by_status index: the table's own key and the index's.
BY_STATUS_KEY = frozenset({"pk", "sk", "status", "created_at"})


def _pk(ticket_id: str) -> dict[str, str]:
    return {"S": f"TICKET#{ticket_id}"}


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in STORAGE_ONLY}


class TicketStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, ticket: Ticket) -> bool:
        """Store a new ticket; False (and nothing written) when the feedback has its ticket already."""
        document = model_to_document(ticket)
        document.update(
            pk=f"TICKET#{ticket.id}",
            sk=TICKET_SK,
            created_at=iso_seconds(ticket.created_at),
            due_at=iso_seconds(ticket.first_response_due_at),
        )
        if ticket.reply_needed:  # a ticket that needs no reply (spam) has no first-response deadline
            document["sla_watch"] = FIRST_RESPONSE_WATCH
        return put_if_absent(self._client, self._table, document, "pk")

    def get(self, ticket_id: str) -> dict[str, Any] | None:
        answer = self._client.get_item(
            TableName=self._table,
            Key={"pk": _pk(ticket_id), "sk": {"S": TICKET_SK}},
            ConsistentRead=True,
        )
        return _public(from_item(answer["Item"])) if "Item" in answer else None

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        document = self.get(ticket_id)
        return Ticket.model_validate(document) if document else None

    def list_by_status(self, status: str, limit: int, cursor: str | None) -> Page:
        query = {
            "TableName": self._table,
            "IndexName": "by_status",
            "KeyConditionExpression": "#status = :status",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":status": {"S": status}},
        }
        page = query_page(self._client, query, PageKey(BY_STATUS_KEY, ("status", status)), limit, cursor)
        return Page(items=[_public(item) for item in page.items], next_cursor=page.next_cursor)

    def first_responses_due(self, now: datetime) -> list[str]:
        """Ids of tickets whose first-response deadline has passed and is still watched."""
        query = {
            "TableName": self._table,
            "IndexName": "by_deadline",
            "KeyConditionExpression": "sla_watch = :watch AND due_at <= :now",
            "ExpressionAttributeValues": {
                ":watch": {"S": FIRST_RESPONSE_WATCH},
                ":now": {"S": iso_seconds(now)},
            },
        }
        return [str(item["pk"]).removeprefix("TICKET#") for item in query_all(self._client, query)]

    def mark_first_response_breached(self, ticket_id: str, now: datetime) -> bool:
        """Record the breach once: True only for the call that changed the ticket."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": _pk(ticket_id), "sk": {"S": TICKET_SK}},
                UpdateExpression="SET sla_breached = :true, sla_breached_at = :now REMOVE sla_watch",
                ConditionExpression="sla_watch = :watch AND due_at <= :now",
                ExpressionAttributeValues={
                    ":true": {"BOOL": True},
                    ":now": {"S": iso_seconds(now)},
                    ":watch": {"S": FIRST_RESPONSE_WATCH},
                },
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    # ---------------------------------------------------------------- the outbox
    # A notification is an item beside its ticket (sk NOTIFICATION#<id>), written before any channel
    # is tried; `channels` maps each channel's name to what it did, its latest try (a ChannelResult).

    @staticmethod
    def _notification_key(notification: Notification) -> dict[str, Any]:
        return {"pk": _pk(notification.ticket_id), "sk": {"S": f"NOTIFICATION#{notification.id}"}}

    @staticmethod
    def _channel_results(stored: dict[str, Any]) -> dict[str, ChannelResult]:
        """What each channel did, by name. An entry written before the per-channel map has the
        `results` of a finished delivery instead: every channel in it had settled."""
        if "channels" in stored:
            found = list(stored["channels"].values())
        else:
            found = [r for r in stored.get("results", []) if r.get("channel") != "outbox"]
        return {r["channel"]: ChannelResult.model_validate(r) for r in found}

    def open_notification(self, notification: Notification, now: datetime) -> dict[str, ChannelResult]:
        """Keep the notification before any channel is tried: once per id (a conditional put), so a
        redelivery finds the entry as the first delivery left it; answer what each channel did."""
        document = model_to_document(notification)
        document.update(
            pk=f"TICKET#{notification.ticket_id}",
            sk=f"NOTIFICATION#{notification.id}",
            channels={},
            opened_at=iso_seconds(now),
            updated_at=iso_seconds(now),
        )
        if put_if_absent(self._client, self._table, document, "pk"):
            return {}
        answer = self._client.get_item(
            TableName=self._table, Key=self._notification_key(notification), ConsistentRead=True
        )
        return self._channel_results(from_item(answer.get("Item", {})))

    def record_channel_result(self, notification: Notification, result: ChannelResult) -> bool:
        """Keep a channel's latest try on its notification; False (nothing written) once it was sent,
        so a late or concurrent try never turns a sent channel back into a failed one."""
        at = result.at or notification.created_at
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._notification_key(notification),
                UpdateExpression="SET #channels.#channel = :result, updated_at = :at",
                ConditionExpression="attribute_exists(#channels) AND "
                "(attribute_not_exists(#channels.#channel) OR #channels.#channel.#status <> :sent)",
                ExpressionAttributeNames={
                    "#channels": "channels",
                    "#channel": result.channel,
                    "#status": "status",
                },
                ExpressionAttributeValues={
                    ":result": to_item({"result": model_to_document(result)})["result"],
                    ":at": {"S": iso_seconds(at)},
                    ":sent": {"S": "sent"},
                },
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def list_notifications(self, ticket_id: str) -> list[dict[str, Any]]:
        """A ticket's notifications, oldest first, each with `results`: what each channel did, then
        the outbox's own entry (stored)."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": _pk(ticket_id), ":prefix": {"S": "NOTIFICATION#"}},
        }
        found = []
        for item in query_all(self._client, query):
            document = _public(item)
            channels = document.pop("channels", None)
            if channels is not None:
                results = [channels[name] for name in sorted(channels)]
                document["results"] = [*results, {"channel": "outbox", "status": "stored"}]
            found.append(document)
        return sorted(found, key=lambda n: str(n.get("created_at", "")))


class ReplyStore:
    """The reply state of tickets in TicketsTable; every change is conditional on the state it expects."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _update(self, ticket_id: str, expression: str, condition: str, values: dict[str, Any]) -> bool:
        """Apply the update; False when the condition does not hold (nothing is written)."""
        text = f"{expression} {condition}"
        names = {name: name[1:] for name in ("#reply", "#status", "#text") if name in text}
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": _pk(ticket_id), "sk": {"S": TICKET_SK}},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def approve(self, ticket_id: str, reply: ReplyState) -> bool:
        """Record an approved reply unless another is approved or published; the same one again is fine."""
        return self._update(
            ticket_id,
            "SET #reply = :reply",
            "attribute_exists(pk) AND (attribute_not_exists(#reply) OR #reply.#status = :rejected "
            "OR (#reply.reply_id = :reply_id AND #reply.#status = :approved))",
            {
                ":reply": to_item({"reply": model_to_document(reply)})["reply"],
                ":rejected": {"S": "rejected"},
                ":approved": {"S": "approved"},
                ":reply_id": {"S": reply.reply_id},
            },
        )

    def withdraw(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None) -> bool:
        """Put back the reply state that approve(ticket_id, reply) replaced, only while reply, as that
        call wrote it, is still the ticket's; False (nothing written) once anything else changed it."""
        written = model_to_document(reply)
        condition = (
            "#reply.reply_id = :reply_id AND #reply.#status = :approved "
            "AND #reply.approved_at = :approved_at AND #reply.approved_by = :approved_by"
        )
        values: dict[str, Any] = {
            ":reply_id": {"S": reply.reply_id},
            ":approved": {"S": "approved"},
            ":approved_at": {"S": written["approved_at"]},
            ":approved_by": {"S": reply.approved_by},
        }
        if previous is None:
            return self._update(ticket_id, "REMOVE #reply", condition, values)
        values[":previous"] = to_item({"reply": model_to_document(previous)})["reply"]
        return self._update(ticket_id, "SET #reply = :previous", condition, values)

    def mark_published(
        self, ticket_id: str, reply_id: str, at: datetime, platform_answer_id: str | None, text: str
    ) -> bool:
        """Record what was published; False if the ticket's reply is another one."""
        return self._update(
            ticket_id,
            "SET #reply.#status = :published, #reply.published_at = :at, "
            "#reply.platform_answer_id = :answer, #reply.#text = :text",
            "#reply.reply_id = :reply_id",
            {
                ":published": {"S": "published"},
                ":at": {"S": at.isoformat()},
                ":reply_id": {"S": reply_id},
                ":text": {"S": text},
                ":answer": {"S": platform_answer_id} if platform_answer_id else {"NULL": True},
            },
        )

    def mark_rejected(self, ticket_id: str, reply_id: str, reason: str) -> bool:
        """Record the platform's refusal, so the reply can be corrected and approved again."""
        return self._update(
            ticket_id,
            "SET #reply.#status = :rejected, #reply.reason = :reason",
            "#reply.reply_id = :reply_id AND #reply.#status <> :published",
            {
                ":rejected": {"S": "rejected"},
                ":published": {"S": "published"},
                ":reason": {"S": reason[:1000]},
                ":reply_id": {"S": reply_id},
            },
        )
