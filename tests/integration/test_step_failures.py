"""Each SQS step fails alone per record (partial batch responses); aggregates count exactly once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from otklik.adapters.aggregate_store import AggregateStore
from otklik.domain.messages import encode
from otklik.domain.models import OwnChannelFeedback
from otklik.usecases.ingest import envelope_for
from tests.integration.conftest import Stack
from tests.support.signing import sample_body


def _period(stack: Stack, period: str) -> dict[str, dict[str, int]]:
    return AggregateStore(stack.dynamodb, stack.table("AggregatesTable"), timedelta(days=1)).period(period)


def _envelope_body(**changes: object) -> str:
    feedback = OwnChannelFeedback.model_validate_json(sample_body(**changes))
    return encode(envelope_for("custom", feedback, datetime.now(UTC)))


def test_a_poison_record_fails_alone_and_the_rest_of_its_batch_is_stored(stack: Stack) -> None:
    # Given a batch of three: two good envelopes and a poison one in the middle
    event = stack.sqs_event(
        "IngestQueue", [_envelope_body(id="a"), '{"not": "an envelope"}', _envelope_body(id="b")]
    )
    poison_id = event["Records"][1]["messageId"]
    # When score_feedback takes it
    result = stack.invoke("ScoreFeedbackFunction", event)
    # Then only the poison record is reported failed (SQS will retry it, then dead-letter it)
    assert result == {"batchItemFailures": [{"itemIdentifier": poison_id}]}
    # And both good items are stored and passed on to routing
    assert len(stack.dynamodb.scan(TableName=stack.table("FeedbackTable"))["Items"]) == 2
    assert len(stack.receive("RouteQueue")) == 2


def test_routing_feedback_that_is_not_stored_fails_that_record(stack: Stack) -> None:
    event = stack.sqs_event("RouteQueue", [json.dumps({"feedback_id": "fb_missing"})])
    result = stack.invoke("RouteFeedbackFunction", event)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert stack.receive("NotifyQueue") == []


def test_a_redelivered_stream_batch_counts_nothing_twice(stack: Stack) -> None:
    # Given two stored feedback items and the stream batch that announces them
    stack.invoke(
        "ScoreFeedbackFunction",
        stack.sqs_event(
            "IngestQueue", [_envelope_body(id="one", rating=1), _envelope_body(id="two", rating=4)]
        ),
    )
    batch = stack.stream_event()
    assert [r["eventName"] for r in batch["Records"]] == ["INSERT", "INSERT"]
    # When update_aggregates gets the batch, and then the very same batch again (a retried invocation)
    assert stack.invoke("UpdateAggregatesFunction", batch) == {"batchItemFailures": []}
    assert stack.invoke("UpdateAggregatesFunction", batch) == {"batchItemFailures": []}
    # Then the day's counters count each item once
    day = json.loads(json.dumps(batch["Records"][0]["dynamodb"]["NewImage"]["day"]))["S"]
    counters = _period(stack, f"DAY#{day}")
    assert counters["all"]["total"] == 2
    assert counters["all"]["rating_sum"] == 5
    assert (counters["all"]["rating_1"], counters["all"]["rating_4"]) == (1, 1)
    assert counters["source#custom"]["total"] == 2


def test_duplicate_delivery_updates_are_not_counted(stack: Stack) -> None:
    # Given an item stored and then delivered again (a MODIFY record for its delivery counter)
    body = _envelope_body(id="dup")
    stack.invoke("ScoreFeedbackFunction", stack.sqs_event("IngestQueue", [body]))
    stack.invoke("ScoreFeedbackFunction", stack.sqs_event("IngestQueue", [body]))
    batch = stack.stream_event()
    assert [r["eventName"] for r in batch["Records"]] == ["INSERT", "MODIFY"]
    # When the stream batch is applied
    stack.invoke("UpdateAggregatesFunction", batch)
    # Then the item counts once, in each of its dimensions
    day = batch["Records"][0]["dynamodb"]["NewImage"]["day"]["S"]
    counters = _period(stack, f"DAY#{day}")
    assert {dimension: cell["total"] for dimension, cell in counters.items()} == {
        "all": 1,
        "source#custom": 1,
        "account#custom#default": 1,
        "product#custom#sku-4411": 1,
        **{name: 1 for name in counters if name.startswith(("topic#", "product#custom#sku-4411#topic#"))},
    }
