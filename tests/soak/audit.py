"""What the stack holds after a soak, read straight from moto and the Slack recorder: what was stored,
ticketed, notified and counted, a recount of the aggregates, and what waits in the dead-letter queues."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from otklik.adapters.dynamo import from_item
from otklik.adapters.feedback_store import feedback_from_document
from otklik.domain.aggregates import new_feedback_update, unsharded
from otklik.domain.config import parse_config
from otklik.domain.models import FeedbackItem
from otklik.domain.routing import RoutingPolicy, plan_ticket
from tests.support.http_recorder import Recorded

# The counters of ticket changes (otklik.domain.aggregates.ticket_update), by their names' starts.
TICKET_COUNTERS = ("tickets_", "frt_", "sla_", "repeat_contacts", "replies_")

ROOT = Path(__file__).resolve().parents[2]
TICKET_ID = re.compile(r"\btk_[0-9a-f]{24}\b")
Cell = tuple[str, str]  # (pk, sk) of an AggregatesTable counter item


def routing_policy() -> RoutingPolicy:
    """The routing rules the local stack runs with (infra/config/otklik.yaml)."""
    return parse_config((ROOT / "infra" / "config" / "otklik.yaml").read_bytes()).routing


@dataclass
class DeadLetters:
    count: int
    shapes: Counter[str] = field(default_factory=Counter)  # the top-level keys of each body, never its text


@dataclass
class Holdings:
    """Everything the pipeline left behind, by business key."""

    items: list[FeedbackItem]
    items_by_external_id: dict[str, list[FeedbackItem]]
    deliveries: dict[str, int]  # feedback id -> the item's delivery counter
    tickets: dict[str, list[dict[str, Any]]]  # feedback id -> tickets
    outbox: dict[str, list[dict[str, Any]]]  # ticket id -> ticket_opened notifications
    slack: Counter[str]  # ticket id -> posts that reached Slack
    aggregates: dict[Cell, dict[str, int]]
    markers: int
    counted_at: list[int]  # when each item was counted: its marker's expiry (a fixed TTL after it), sorted
    dead_letters: dict[str, DeadLetters]

    def recount(self) -> dict[Cell, dict[str, int]]:
        """The aggregates as FeedbackTable says they should be: every stored item counted once."""
        cells: dict[Cell, Counter[str]] = defaultdict(Counter)
        for item in self.items:
            update = new_feedback_update(item, item.arrived_day)
            for key, increments in update.counters.items():
                cells[(key.period, key.dimension)].update(increments)
        return {cell: dict(counters) for cell, counters in cells.items()}


def _scan(client: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        items.extend(from_item(item) for item in page["Items"])
    return items


def _dead_letters(sqs: Any, queue_url: str) -> DeadLetters:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    letters = DeadLetters(sum(int(value) for value in attributes.values()))
    if letters.count:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        for message in messages.get("Messages", []):
            try:
                body = json.loads(message["Body"])
            except ValueError:
                letters.shapes["not JSON"] += 1
                continue
            letters.shapes[",".join(sorted(body)) if isinstance(body, dict) else type(body).__name__] += 1
    return letters


def read_holdings(
    dynamodb: Any, sqs: Any, resources: dict[str, dict[str, str]], slack: list[Recorded], run_id: str
) -> Holdings:
    """Read every table and dead-letter queue of the stack (resources as GET /_local/status lists them)."""
    table = {logical_id: record["physical_id"] for logical_id, record in resources.items()}
    documents = _scan(dynamodb, table["FeedbackTable"])
    items = [feedback_from_document(document) for document in documents]
    by_external_id: dict[str, list[FeedbackItem]] = defaultdict(list)
    for item in items:
        if item.external_id.startswith(f"soak-{run_id}-"):
            by_external_id[item.external_id].append(item)
    tickets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    outbox: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _scan(dynamodb, table["TicketsTable"]):
        if row["sk"] == "TICKET":
            tickets[str(row["feedback_id"])].append(row)
        elif str(row["sk"]).startswith("NOTIFICATION#") and row.get("event") == "ticket_opened":
            outbox[str(row["ticket_id"])].append(row)
    aggregates: dict[Cell, dict[str, int]] = {}
    markers = 0
    counted_at: list[int] = []
    for row in _scan(dynamodb, table["AggregatesTable"]):
        if str(row["pk"]).startswith("APPLIED#feedback_counted#"):
            markers += 1
            counted_at.append(int(row.get("expires_at", 0)))
        elif str(row["pk"]).startswith(("DAY#", "WEEK#", "MONTH#")):
            # A hot counter's shards (all~0, all~1...) add up to its cell. Ticket numbers, counted from the
            # tickets' changes, have no recount from what is stored now: the feedback counters are audited.
            feedback = {
                name: int(value)
                for name, value in row.items()
                if name not in ("pk", "sk") and not name.startswith(TICKET_COUNTERS)
            }
            if not feedback:
                continue
            cell = aggregates.setdefault((str(row["pk"]), unsharded(str(row["sk"]))), {})
            for name, value in feedback.items():
                cell[name] = cell.get(name, 0) + value
    posts: Counter[str] = Counter()
    for request in slack:
        title = str(request.json().get("text", "")).split("\n", 1)[0]
        if "Новый тикет" in title:
            posts.update(TICKET_ID.findall(title))
    dead_letters = {
        logical_id: _dead_letters(sqs, record["url"])
        for logical_id, record in resources.items()
        if record.get("type") == "AWS::SQS::Queue" and logical_id.endswith("DLQ")
    }
    return Holdings(
        items=items,
        items_by_external_id=dict(by_external_id),
        deliveries={str(document["id"]): int(document.get("deliveries", 0)) for document in documents},
        tickets=dict(tickets),
        outbox=dict(outbox),
        slack=posts,
        aggregates=aggregates,
        markers=markers,
        counted_at=sorted(counted_at),
        dead_letters=dead_letters,
    )


@dataclass(frozen=True)
class Findings:
    """Lost and doubled, by stage; aggregates against their recount."""

    lost: dict[str, list[str]]  # stage -> external ids (or ticket ids)
    doubled: dict[str, list[str]]
    aggregate_cells: int
    aggregate_mismatches: dict[str, tuple[dict[str, int], dict[str, int]]]  # cell -> (stored, recounted)
    unexpected_tickets: list[str]
    stored_unacknowledged: int  # stored though no delivery was answered 202 (a retried 5xx had queued it)
    slack_unconfirmed: int  # the outbox says "unconfirmed": posted, and no answer came back

    @property
    def lost_count(self) -> int:
        return sum(len(ids) for ids in self.lost.values())

    @property
    def doubled_count(self) -> int:
        return sum(len(ids) for ids in self.doubled.values())


def judge(holdings: Holdings, accepted: set[str], policy: RoutingPolicy) -> Findings:
    stored = holdings.items_by_external_id
    lost: dict[str, list[str]] = {
        "not stored": sorted(accepted - set(stored)),
        "not ticketed": [],
        "no outbox notification": [],
        "no Slack post": [],
        "Slack not sent, as the outbox tells": [],
    }
    doubled: dict[str, list[str]] = {
        "stored": sorted(external_id for external_id, items in stored.items() if len(items) > 1),
        "ticketed": [],
        "outbox notification": [],
        "Slack post": [],
        "counted": [],
    }
    unexpected: list[str] = []
    unconfirmed = 0
    for external_id, items in sorted(stored.items()):
        item = items[0]
        tickets = holdings.tickets.get(item.id, [])
        needed = plan_ticket(item, policy) is not None
        if needed and not tickets:
            lost["not ticketed"].append(external_id)
        if tickets and not needed:
            unexpected.append(external_id)
        if len(tickets) > 1:
            doubled["ticketed"].append(external_id)
        for ticket in tickets[:1]:
            ticket_id = str(ticket["id"])
            notes, posts = len(holdings.outbox.get(ticket_id, [])), holdings.slack[ticket_id]
            if notes == 0:
                lost["no outbox notification"].append(external_id)
            elif _slack_status(holdings.outbox[ticket_id][0]) == "unconfirmed":
                unconfirmed += 1  # posted, no answer came: the outbox says so rather than post twice
            elif _slack_status(holdings.outbox[ticket_id][0]) != "sent":
                lost["Slack not sent, as the outbox tells"].append(external_id)
            if notes > 1:
                doubled["outbox notification"].append(external_id)
            if posts == 0:
                lost["no Slack post"].append(external_id)
            if posts > 1:
                doubled["Slack post"].append(external_id)
    recount = holdings.recount()
    mismatches = {
        f"{pk} {sk}": (holdings.aggregates.get((pk, sk), {}), recount.get((pk, sk), {}))
        for pk, sk in sorted(set(recount) | set(holdings.aggregates))
        if holdings.aggregates.get((pk, sk), {}) != recount.get((pk, sk), {})
    }
    for cell, (counted, recounted) in mismatches.items():
        if any(counted.get(name, 0) > amount for name, amount in recounted.items()):
            doubled["counted"].append(cell)
    if holdings.markers > len(holdings.items):
        doubled["counted"].append(f"{holdings.markers} markers for {len(holdings.items)} items")
    return Findings(
        lost=lost,
        doubled=doubled,
        aggregate_cells=len(recount),
        aggregate_mismatches=mismatches,
        unexpected_tickets=unexpected,
        stored_unacknowledged=len(set(stored) - accepted),
        slack_unconfirmed=unconfirmed,
    )


def _slack_status(notification: dict[str, Any]) -> str | None:
    """What the outbox says the Slack channel did: its `channels` entry, or its line in `results`."""
    channels = notification.get("channels")
    if isinstance(channels, dict):
        return str(channels.get("slack", {}).get("status"))
    results = {str(result.get("channel")): result for result in notification.get("results", [])}
    return str(results.get("slack", {}).get("status"))


def failures_in_log(log: Path) -> Counter[str]:
    """Why records and requests failed, from the stack's log: "<service>: <message> <error> at <where>"."""
    reasons: Counter[str] = Counter()
    with log.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if not line.startswith("{") or "failed" not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("message") in ("record failed", "request failed"):
                service, error, where = entry.get("service"), entry.get("error"), entry.get("raised_at")
                reasons[f"{service}: {entry['message']} {error} at {where}"] += 1
    return reasons
