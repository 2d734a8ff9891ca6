"""AggregatesTable on moto (built from template.yaml): a stream batch's counters summed and written once,
exactly once per item however the batch is replayed or bisected, and read back as the recount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from otklik.adapters.aggregate_store import MAX_ACTIONS, AggregateStore
from otklik.adapters.ticket_store import TicketStore
from otklik.domain.aggregates import AggregateUpdate, new_feedback_update, sum_batch
from otklik.domain.models import ProductRef, Topic
from tests.integration.conftest import Stack
from tests.unit.samples import feedback_item, stored_ticket

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _store(stack: Stack) -> AggregateStore:
    return AggregateStore(stack.dynamodb, stack.table("AggregatesTable"), timedelta(days=14))


def _updates(count: int, products: int = 3) -> list[AggregateUpdate]:
    updates = []
    for n in range(count):
        item = feedback_item(
            external_id=f"item-{n}",
            source=("wildberries", "ozon", "custom")[n % 3],
            rating=n % 5 + 1,
            label=("negative", "neutral", "positive")[n % 3],
        ).model_copy(
            update={
                "product": ProductRef(id=f"sku-{n % products}"),
                "topics": (Topic(topic="quality", polarity="negative", evidence="шов", start=0, end=3),)
                if n % 2
                else (),
            }
        )
        updates.append(new_feedback_update(item, arrived_day="2026-12-01"))
    return updates


def _recount(updates: list[AggregateUpdate]) -> dict[str, dict[str, dict[str, int]]]:
    """What the counters must hold: every update's increments, once, by period and dimension."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for key, cell in sum_batch(updates).items():
        found.setdefault(key.period, {})[key.dimension] = cell
    return found


def _held(stack: Stack, periods: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    return {period: _store(stack).period(period) for period in periods}


def test_a_batch_counts_each_item_once_in_every_period_and_dimension(stack: Stack) -> None:
    updates = _updates(30)

    applied = _store(stack).apply_batch(updates, NOW)

    assert applied == {update.applied_marker for update in updates}
    expected = _recount(updates)
    assert _held(stack, list(expected)) == expected


def test_a_replayed_batch_counts_nothing_twice(stack: Stack) -> None:
    updates = _updates(20)
    _store(stack).apply_batch(updates, NOW)

    # When the same batch comes again (a retried invocation)
    assert _store(stack).apply_batch(updates, NOW) == set()

    expected = _recount(updates)
    assert _held(stack, list(expected)) == expected


@pytest.mark.parametrize("cut", [1, 7, 13, 19])
def test_a_bisected_batch_after_a_partial_write_counts_each_item_once(stack: Stack, cut: int) -> None:
    # Given the first part of a batch counted before its invocation failed
    updates = _updates(20)
    _store(stack).apply_batch(updates[:cut], NOW)

    # When Lambda bisects the batch and retries both halves, and the whole once more
    halves = (updates[:10], updates[10:])
    applied = [_store(stack).apply_batch(half, NOW) for half in halves]
    assert _store(stack).apply_batch(updates, NOW) == set()

    # Then each item was counted by exactly one call, and the counters are the recount
    assert set().union(*applied) == {update.applied_marker for update in updates[cut:]}
    expected = _recount(updates)
    assert _held(stack, list(expected)) == expected


def test_a_batch_larger_than_one_transaction_is_written_in_several(stack: Stack) -> None:
    # Given a batch whose markers and counters are far more than one transaction takes
    updates = _updates(100, products=60)
    calls: list[int] = []
    client = stack.dynamodb

    def count(params: dict[str, Any], **_: Any) -> None:
        calls.append(len(params["TransactItems"]))

    client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", count)
    try:
        _store(stack).apply_batch(updates, NOW)
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", count)

    # Then each transaction is within DynamoDB's limit, and together they count the recount
    assert len(calls) > 1 and max(calls) <= MAX_ACTIONS
    expected = _recount(updates)
    assert _held(stack, list(expected)) == expected


def test_each_counter_is_written_once_per_batch_not_once_per_item(stack: Stack) -> None:
    updates = _updates(30, products=1)
    written: list[str] = []
    client = stack.dynamodb

    def record(params: dict[str, Any], **_: Any) -> None:
        written.extend(
            f"{a['Update']['Key']['pk']['S']} {a['Update']['Key']['sk']['S']}"
            for a in params["TransactItems"]
            if "Update" in a
        )

    client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", record)
    try:
        _store(stack).apply_batch(updates, NOW)
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", record)

    # 30 items, each in 3 periods x 5 or 7 dimensions, plus arrivals: one write per counter cell
    assert len(written) == len(set(written)) == len(sum_batch(updates))


def test_ticket_changes_on_the_tickets_stream_count_once_each(stack: Stack) -> None:
    # Given a ticket opened, answered within the hour and resolved, as TicketsTable's stream tells it
    tickets = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    opened = stored_ticket("tk_agg", created_at=NOW, topics=("quality",))
    assert tickets.create(opened)
    answered = opened.model_copy(
        update={
            "first_response_at": NOW + timedelta(minutes=40),
            "status": "resolved",
            "resolved_at": NOW + timedelta(hours=1),
            "version": opened.version + 1,
        }
    )
    assert tickets.update(opened, answered)
    batch = stack.stream_event("TicketsTable")
    assert [r["eventName"] for r in batch["Records"] if r["dynamodb"]["Keys"]["sk"]["S"] == "TICKET"] == [
        "INSERT",
        "MODIFY",
    ]

    # When update_aggregates gets the batch twice
    assert stack.invoke("UpdateAggregatesFunction", batch) == {"batchItemFailures": []}
    assert stack.invoke("UpdateAggregatesFunction", batch) == {"batchItemFailures": []}

    # Then the day's numbers count the ticket once: opened, answered in time (under an hour), resolved
    day = _store(stack).period(f"DAY#{NOW.date()}")
    for dimension in ("all", "team#support", "topic#quality", "source#custom"):
        cell = day[dimension]
        assert (cell["tickets_opened"], cell["tickets_resolved"], cell["frt_count"]) == (1, 1, 1)
        assert (cell["frt_le_1"], cell["sla_met"], cell["frt_seconds_sum"]) == (1, 1, 2400)
