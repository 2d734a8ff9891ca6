"""The whole flow on moto, step by step: webhook -> feedback -> ticket -> notification -> aggregates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from otklik.adapters.dynamo import from_item
from otklik.domain.config import DEFAULT_CONFIG
from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event, webhook_event
from tests.support.signing import sample_body, signature_for


def _deliver(stack: Stack, body: bytes) -> str:
    answer = body_of(stack.invoke("IngestWebhookFunction", webhook_event(body, signature_for(body))))
    return str(answer["id"])


def _run_pipeline(stack: Stack) -> dict[str, Any]:
    """Move every queued message through its function, as the event source mappings would.

    Lambda never invokes a function with an empty batch, so a step with nothing to do is skipped.
    """
    results: dict[str, Any] = {}
    steps = [
        ("score", "ScoreFeedbackFunction", lambda: stack.sqs_event("IngestQueue")),
        ("route", "RouteFeedbackFunction", lambda: stack.sqs_event("RouteQueue")),
        ("notify", "SendNotificationsFunction", lambda: stack.sqs_event("NotifyQueue")),
        ("aggregates", "UpdateAggregatesFunction", stack.stream_event),
    ]
    for name, function, event_of in steps:
        event = event_of()
        if event["Records"]:
            results[name] = stack.invoke(function, event)
    return results


def _ops(stack: Stack, resource: str, path: str, **kwargs: Any) -> Any:
    response = stack.invoke("OpsApiFunction", ops_event(resource, path, **kwargs))
    assert response["statusCode"] == 200, response
    return body_of(response)


def test_first_webhook_becomes_feedback_ticket_notification_and_counts(stack: Stack) -> None:
    # Given the README's first webhook: a one-star review, "Ужасное качество, порвалось через день"
    feedback_id = _deliver(stack, sample_body())
    # When every step has run
    results = _run_pipeline(stack)
    # Then no step reported a failed record
    assert all(r == {"batchItemFailures": []} for r in results.values()), results
    # And the feedback item has its tonality, with the raw text kept and the PII masked
    item = _ops(stack, "/feedback/{id}", f"/feedback/{feedback_id}", path_parameters={"id": feedback_id})
    assert item["text"] == "Ужасное качество, порвалось через день"
    assert item["tonality"]["label"] == "negative"
    assert item["lang"] == "ru"
    # And the API writes Russian as UTF-8 a person can read, not as \\u escapes
    raw = stack.invoke(
        "OpsApiFunction",
        ops_event("/feedback/{id}", f"/feedback/{feedback_id}", path_parameters={"id": feedback_id}),
    )
    assert "Ужасное качество" in raw["body"]
    assert raw["headers"]["Content-Type"] == "application/json; charset=utf-8"
    # And a ticket for support, high priority, first response due 24 h after receipt
    tickets = _ops(stack, "/tickets", "/tickets", query={"status": "open"})["items"]
    assert len(tickets) == 1
    ticket = tickets[0]
    assert (ticket["feedback_id"], ticket["team"], ticket["priority"]) == (feedback_id, "support", "high")
    # due 24 working hours of the default calendar after it arrived (Moscow, Mon-Fri 09-18, holidays)
    received = datetime.fromisoformat(item["received_at"])
    calendar = DEFAULT_CONFIG.sla.calendar("default")
    due = datetime.fromisoformat(ticket["first_response_due_at"])
    assert calendar.between(received, due) == 24
    assert calendar.is_period_end(due) or calendar.is_working_time(due)
    # And the notification about it is in the outbox
    notes = _ops(stack, "/notifications", "/notifications", query={"ticket_id": ticket["id"]})["items"]
    assert [n["event"] for n in notes] == ["ticket_opened"]
    assert any(r["channel"] == "outbox" and r["status"] == "stored" for r in notes[0]["results"])
    # And the day's aggregates count it, overall and for its source
    day = item["day"]
    aggregates = _ops(stack, "/aggregates", "/aggregates", query={"day": day})
    assert aggregates["all"]["total"] == 1
    assert aggregates["all"]["labels"]["negative"] == 1
    assert aggregates["all"]["ratings"]["1"] == 1
    assert aggregates["sources"]["custom"]["total"] == 1


def test_the_same_webhook_delivered_twice_is_one_item_one_ticket_one_notification(stack: Stack) -> None:
    # Given the same webhook delivered twice, the second time after the first was fully processed,
    # and a third copy injected straight into IngestQueue as a sender-side retry would
    body = sample_body()
    feedback_id = _deliver(stack, body)
    _run_pipeline(stack)
    assert _deliver(stack, body) == feedback_id
    envelope = stack.dynamodb.get_item(TableName=stack.table("FeedbackTable"), Key={"id": {"S": feedback_id}})
    assert envelope["Item"]
    stack.sqs.send_message(
        QueueUrl=stack.queue_url("IngestQueue"),
        MessageBody=_first_ingest_body(stack, body),
    )
    # When the pipeline runs again
    _run_pipeline(stack)
    # Then there is one feedback item (its redelivery counted), one ticket and one notification
    items = stack.dynamodb.scan(TableName=stack.table("FeedbackTable"))["Items"]
    assert len(items) == 1
    assert from_item(items[0])["deliveries"] == 2
    tickets = _ops(stack, "/tickets", "/tickets", query={"status": "open"})["items"]
    assert len(tickets) == 1
    notes = _ops(stack, "/notifications", "/notifications", query={"ticket_id": tickets[0]["id"]})["items"]
    assert len(notes) == 1
    # And it is counted once
    aggregates = _ops(stack, "/aggregates", "/aggregates", query={"day": from_item(items[0])["day"]})
    assert aggregates["all"]["total"] == 1


def _first_ingest_body(stack: Stack, body: bytes) -> str:
    """The IngestQueue message the webhook produced, rebuilt the way ingest builds it."""
    from datetime import UTC, datetime

    from otklik.domain.messages import encode
    from otklik.domain.models import OwnChannelFeedback
    from otklik.usecases.ingest import envelope_for

    return encode(envelope_for("custom", OwnChannelFeedback.model_validate_json(body), datetime.now(UTC)))


def test_positive_feedback_opens_no_ticket(stack: Stack) -> None:
    body = sample_body(id="praise-1", text="Great backpack, thank you!", rating=5)
    _deliver(stack, body)
    results = _run_pipeline(stack)
    assert results["route"] == {"batchItemFailures": []}
    assert "notify" not in results
    assert _ops(stack, "/tickets", "/tickets", query={"status": "open"})["items"] == []
