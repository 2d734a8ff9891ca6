"""TicketsTable: tickets (created once per feedback, then changed on the version read), their SLA watch, their
queue entries (otklik.adapters.ticket_index), and their notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import (
    from_image,
    from_item,
    is_condition_failure,
    model_to_document,
    put_if_absent,
    to_item,
)
from otklik.adapters.pages import PageKey, query_all, query_page
from otklik.adapters.ticket_index import (
    SLA_WATCH,
    TicketUpdate,
    entry_updates,
    filter_key,
    indexed_change,
    matches,
    watch_attributes,
)
from otklik.domain.errors import TryAgain
from otklik.domain.models import ChannelResult, Notification, ReplyState, Ticket
from otklik.domain.repeat_contact import CustomerClaim, CustomerHasTicket
from otklik.domain.timefmt import iso_seconds
from otklik.ports import Page, TicketFilters

TICKET_SK = "TICKET"
# The claim of a customer's newest ticket (pk CUSTOMER#<customer_key>): otklik.domain.repeat_contact.
CLAIM_SK = "TICKET_CLAIM"
# An automatic reply to an item that has no ticket (pk TICKET#<the ticket id it would have>).
AUTO_REPLY_SK = "AUTO_REPLY"
BATCH_GET_KEYS = 100
BATCH_GET_ATTEMPTS = 5
STORAGE_ONLY = ("pk", "sk", "sla_watch", "due_at")
# The key of an item in the by_status index: the table's own key and the index's.
BY_STATUS_KEY = frozenset({"pk", "sk", "status", "created_at"})
# The most tickets of one customer a repeat contact looks at (the newest, within the window).
CUSTOMER_TICKETS = 10


def _pk(ticket_id: str) -> dict[str, str]:
    return {"S": f"TICKET#{ticket_id}"}


def _outbox_pk(notification: Notification) -> str:
    """A ticket's notifications beside it; an event about no ticket under its event (EVENT#dlq_not_empty)."""
    if notification.ticket_id is None:
        return f"EVENT#{notification.event}"
    return f"TICKET#{notification.ticket_id}"


def _cancellation_reasons(error: ClientError) -> list[str]:
    """Why each operation of a cancelled transaction failed, in order ("None": it did not); [] for an
    error that is no cancellation."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    return [str(r.get("Code")) for r in error.response.get("CancellationReasons", [])]


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in STORAGE_ONLY}


def ticket_from_image(image: dict[str, Any]) -> Ticket:
    """A TicketsTable stream image of a ticket item (sk TICKET; Powertools-deserialized) as the ticket."""
    return Ticket.model_validate(_public(from_image(image)))


class TicketStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, ticket: Ticket, claim: CustomerClaim | None = None) -> bool:
        """Store a new ticket with its queue entries, in one transaction; False (and nothing written) when
        the feedback has its ticket already. With claim, the same transaction claims the ticket's customer
        (pk CUSTOMER#<key>): CustomerHasTicket, nothing written, while another ticket holds it."""
        document = model_to_document(ticket)
        document.update(pk=f"TICKET#{ticket.id}", sk=TICKET_SK, created_at=iso_seconds(ticket.created_at))
        document.update(watch_attributes(ticket))  # none for a ticket that needs no reply (spam)
        put = {
            "Put": {
                "TableName": self._table,
                "Item": to_item(document),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        operations = [put]
        if claim is not None:
            operations.append(self._claim(ticket, claim))
        operations.extend(entry_updates(self._table, ticket))
        # A transaction cancelled because another one wrote the same items raises (and the message is
        # delivered again): both may have been cancelled, and a ticket taken for created would be lost.
        try:
            self._client.transact_write_items(TransactItems=operations)
        except ClientError as error:
            reasons = _cancellation_reasons(error)
            if reasons[:1] == ["ConditionalCheckFailed"]:
                return False
            if claim is not None and reasons[1:2] == ["ConditionalCheckFailed"]:
                holder = self._claim_holder(claim.customer_key)
                if holder is not None:
                    raise CustomerHasTicket(holder) from None
            raise
        return True

    def _claim(self, ticket: Ticket, claim: CustomerClaim) -> dict[str, Any]:
        holders = {":self": {"S": ticket.id}}
        if claim.replaces is not None:
            holders[":replaces"] = {"S": claim.replaces}
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(
                    {
                        "pk": f"CUSTOMER#{claim.customer_key}",
                        "sk": CLAIM_SK,
                        "ticket_id": ticket.id,
                        "claimed_at": iso_seconds(ticket.created_at),
                    }
                ),
                "ConditionExpression": "attribute_not_exists(pk) OR claimed_at < :since OR "
                f"ticket_id IN ({', '.join(holders)})",
                "ExpressionAttributeValues": {":since": {"S": iso_seconds(claim.since)}, **holders},
            }
        }

    def _claim_holder(self, customer_key: str) -> str | None:
        answer = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": f"CUSTOMER#{customer_key}"}, "sk": {"S": CLAIM_SK}},
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return str(item["ticket_id"]["S"]) if item else None

    def _transact(self, operations: list[dict[str, Any]], retry_on_conflict: bool = True) -> bool:
        """Write every operation or none; False (nothing written) when the first one's condition failed,
        or, with retry_on_conflict, when another write to the same items came between (read again)."""
        try:
            self._client.transact_write_items(TransactItems=operations)
        except ClientError as error:
            reasons = _cancellation_reasons(error)
            if not reasons:
                raise
            if reasons[0] == "ConditionalCheckFailed":
                return False
            if retry_on_conflict and "TransactionConflict" in reasons:
                return False
            raise
        return True

    def update(self, before: Ticket, after: Ticket) -> bool:
        """Write what after changes of before, raising the version by one, only while the stored ticket is
        still at before.version (a conditional UpdateItem, with its queue entries in one transaction when
        a field they are keyed by changed); False, and nothing written, when it changed since."""
        return self._update(TicketUpdate(before, after), before, after)

    def _update(self, update: TicketUpdate, before: Ticket, after: Ticket) -> bool:
        if not update.changes_anything:
            return True
        request = update.request(self._table, {"pk": _pk(before.id), "sk": {"S": TICKET_SK}})
        if indexed_change(before, after):
            return self._transact([{"Update": request}, *entry_updates(self._table, after)])
        try:
            self._client.update_item(**request)
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

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

    def get_tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        """The stored tickets among ticket_ids, by id: BatchGetItem, 100 keys a call (DynamoDB's limit),
        asking again for the keys it left unprocessed (under throttling) a bounded number of times."""
        found: dict[str, Ticket] = {}
        unique = list(dict.fromkeys(ticket_ids))
        for offset in range(0, len(unique), BATCH_GET_KEYS):
            batch = unique[offset : offset + BATCH_GET_KEYS]
            keys = [{"pk": _pk(ticket_id), "sk": {"S": TICKET_SK}} for ticket_id in batch]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            for _ in range(BATCH_GET_ATTEMPTS):
                answer = self._client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self._table, []):
                    ticket = Ticket.model_validate(_public(from_item(item)))
                    found[ticket.id] = ticket
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                # Throttled on every attempt: nothing was changed, and the same request may come again.
                raise TryAgain("the tickets table is busy; send the request again")
        return found

    def list_by_status(self, status: str, limit: int, cursor: str | None) -> Page:
        """The tickets in status, newest first (their items in by_status hold the whole ticket)."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by_status",
            "KeyConditionExpression": "#status = :status",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":status": {"S": status}},
            "ScanIndexForward": False,
        }
        page = query_page(self._client, query, PageKey(BY_STATUS_KEY, ("status", status)), limit, cursor)
        return Page(items=[_public(item) for item in page.items], next_cursor=page.next_cursor)

    def list_filtered(self, status: str, filters: TicketFilters, limit: int, cursor: str | None) -> Page:
        """The tickets in status matching the filters, newest first: one Query of a page of queue entries
        (by_status, under the filters' key), then those tickets read by key. A ticket that changed since
        its entry was indexed (the index lags a moment behind) is left out when it no longer matches."""
        key = filter_key(status, filters)
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by_status",
            "KeyConditionExpression": "#status = :key",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":key": {"S": key}},
            "ScanIndexForward": False,
        }
        page = query_page(self._client, query, PageKey(BY_STATUS_KEY, ("status", key)), limit, cursor)
        ids = [str(entry["pk"]).removeprefix("TICKET#") for entry in page.items]
        found = self.get_tickets(ids)
        items = [
            found[ticket_id].model_dump(mode="json", exclude_none=True)
            for ticket_id in ids
            if ticket_id in found and matches(found[ticket_id], status, filters)
        ]
        return Page(items=items, next_cursor=page.next_cursor)

    def find_open_for_customer(self, customer_key: str, since: datetime) -> list[Ticket]:
        """The tickets opened for the customer since `since`, whatever their status, newest first (at most
        CUSTOMER_TICKETS): Query by_customer (sparse: tickets of a known customer), then each ticket read."""
        answer = self._client.query(
            TableName=self._table,
            IndexName="by_customer",
            KeyConditionExpression="customer_key = :key AND created_at >= :since",
            ExpressionAttributeValues={":key": {"S": customer_key}, ":since": {"S": iso_seconds(since)}},
            ScanIndexForward=False,
            Limit=CUSTOMER_TICKETS,
        )
        ids = [str(item["pk"]["S"]).removeprefix("TICKET#") for item in answer.get("Items", [])]
        return [ticket for ticket in map(self.get_ticket, ids) if ticket is not None]

    def sla_due(self, now: datetime) -> list[str]:
        """Ids of the tickets with an SLA event due by now (their watch's moment passed), soonest first."""
        query = {
            "TableName": self._table,
            "IndexName": "by_deadline",
            "KeyConditionExpression": "sla_watch = :watch AND due_at <= :now",
            "ExpressionAttributeValues": {":watch": {"S": SLA_WATCH}, ":now": {"S": iso_seconds(now)}},
        }
        return [str(item["pk"]).removeprefix("TICKET#") for item in query_all(self._client, query)]

    def rewatch(self, ticket: Ticket) -> bool:
        """Set the ticket's watch to what its fields say (over the version read): for a watch left behind
        by an older rule. False, and nothing written, when the ticket changed since."""
        watch = watch_attributes(ticket)
        expression = "SET sla_watch = :watch, due_at = :due" if watch else "REMOVE sla_watch"
        values = {":version": {"N": str(ticket.version)}}
        if watch:
            values.update({":watch": {"S": watch["sla_watch"]}, ":due": {"S": watch["due_at"]}})
        condition = "attribute_exists(pk) AND " + (
            "(attribute_not_exists(version) OR version = :version)"
            if ticket.version == 0
            else "version = :version"
        )
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": _pk(ticket.id), "sk": {"S": TICKET_SK}},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
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
        return {"pk": {"S": _outbox_pk(notification)}, "sk": {"S": f"NOTIFICATION#{notification.id}"}}

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
            pk=_outbox_pk(notification),
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
    """The reply state of tickets in TicketsTable; every change is conditional on the state it expects, and
    raises the ticket's version, so that a change made on an older read of the ticket is tried again."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _update(
        self,
        ticket_id: str,
        expression: str,
        condition: str,
        values: dict[str, Any],
        sk: str = TICKET_SK,
    ) -> bool:
        """Apply the update; False when the condition does not hold (nothing is written)."""
        text = f"{expression} {condition}"
        names = {name: name[1:] for name in ("#reply", "#status", "#text") if name in text}
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": _pk(ticket_id), "sk": {"S": sk}},
                UpdateExpression=f"{expression} ADD #version :one",
                ConditionExpression=condition,
                ExpressionAttributeNames={**names, "#version": "version"},
                ExpressionAttributeValues={**values, ":one": {"N": "1"}},
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def approve(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None = None) -> bool:
        """Record an approved reply unless another is approved or published; the same one again is fine.
        A rejected reply it replaces is kept in `reply_versions` when it was published first (the platform
        showed it, then refused it): the ticket keeps every version that reached the customer."""
        values: dict[str, Any] = {
            ":reply": to_item({"reply": model_to_document(reply)})["reply"],
            ":rejected": {"S": "rejected"},
            ":approved": {"S": "approved"},
            ":reply_id": {"S": reply.reply_id},
        }
        same = "(#reply.reply_id = :reply_id AND #reply.#status = :approved)"
        if previous is not None and previous.status == "rejected" and previous.published_at is not None:
            values[":previous_id"] = {"S": previous.reply_id}
            values[":versions"] = {"L": [to_item({"v": model_to_document(previous)})["v"]]}
            values[":none"] = {"L": []}
            return self._update(
                ticket_id,
                "SET #reply = :reply, reply_versions = list_append(if_not_exists(reply_versions, :none),"
                " :versions)",
                f"attribute_exists(pk) AND ((#reply.reply_id = :previous_id AND #reply.#status = :rejected)"
                f" OR {same})",
                values,
            )
        return self._update(
            ticket_id,
            "SET #reply = :reply",
            "attribute_exists(pk) AND (attribute_not_exists(#reply) OR #reply.#status = :rejected"
            f" OR {same})",
            values,
        )

    # ---- the outbox of automatic replies to items without a ticket: pk TICKET#<the id a ticket of the
    # item would have>, sk AUTO_REPLY, `reply` and `feedback_id`.

    def approve_auto(self, ticket_id: str, feedback_id: str, reply: ReplyState) -> bool:
        """Record an automatic reply to an item without a ticket, once: False when the item has one already
        (an earlier delivery of the same item drafted it)."""
        return self._update(
            ticket_id,
            "SET #reply = :reply, feedback_id = :feedback",
            "attribute_not_exists(#reply)",
            {
                ":reply": to_item({"reply": model_to_document(reply)})["reply"],
                ":feedback": {"S": feedback_id},
            },
            sk=AUTO_REPLY_SK,
        )

    def get_auto(self, ticket_id: str) -> ReplyState | None:
        answer = self._client.get_item(
            TableName=self._table,
            Key={"pk": _pk(ticket_id), "sk": {"S": AUTO_REPLY_SK}},
            ConsistentRead=True,
        )
        reply = from_item(answer["Item"]).get("reply") if "Item" in answer else None
        return ReplyState.model_validate(reply) if reply else None

    def record_auto(self, ticket_id: str, reply: ReplyState) -> bool:
        """Write the outbox reply's new state (published, read back), while it is the same reply."""
        return self._update(
            ticket_id,
            "SET #reply = :reply",
            "#reply.reply_id = :reply_id",
            {
                ":reply": to_item({"reply": model_to_document(reply)})["reply"],
                ":reply_id": {"S": reply.reply_id},
            },
            sk=AUTO_REPLY_SK,
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

    def mark_rejected(self, ticket_id: str, reply_id: str, reason: str, *, auto: bool = False) -> bool:
        """Record the platform's refusal, so the reply can be corrected and approved again (auto: the reply
        in the outbox of automatic replies, of an item without a ticket)."""
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
            sk=AUTO_REPLY_SK if auto else TICKET_SK,
        )
