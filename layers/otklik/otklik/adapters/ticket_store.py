"""TicketsTable: tickets (created once per feedback), their SLA watch, and their notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import from_item, is_condition_failure, model_to_document, put_if_absent, to_item
from otklik.adapters.pages import query_all, query_page
from otklik.domain.models import DeliveredNotification, ReplyState, Ticket
from otklik.domain.timefmt import iso_seconds
from otklik.ports import Page

TICKET_SK = "TICKET"
FIRST_RESPONSE_WATCH = "first_response"
STORAGE_ONLY = ("pk", "sk", "sla_watch", "due_at")


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
            sla_watch=FIRST_RESPONSE_WATCH,
        )
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
        page = query_page(self._client, query, limit, cursor)
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

    def record_notification(self, delivered: DeliveredNotification) -> bool:
        """Keep a delivered notification with its ticket (the outbox); once per notification id."""
        notification = delivered.notification
        document = model_to_document(notification)
        document["results"] = [model_to_document(result) for result in delivered.results]
        document.update(pk=f"TICKET#{notification.ticket_id}", sk=f"NOTIFICATION#{notification.id}")
        return put_if_absent(self._client, self._table, document, "pk")

    def list_notifications(self, ticket_id: str) -> list[dict[str, Any]]:
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": _pk(ticket_id), ":prefix": {"S": "NOTIFICATION#"}},
        }
        found = [_public(item) for item in query_all(self._client, query)]
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
