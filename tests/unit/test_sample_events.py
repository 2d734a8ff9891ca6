"""Every sample in events/ is what its trigger really carries: it decodes into the model its handler reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from otklik.domain.ids import feedback_id, notification_id, ticket_id
from otklik.domain.marketplaces.models import ApprovedReply, Connection
from otklik.domain.marketplaces.ozon import parse_push
from otklik.domain.marketplaces.yandex_market import parse_notification
from otklik.domain.messages import FetchMessage, IngestMessage, NotifyMessage, RouteMessage, decode, encode
from tests.conftest import EVENTS

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _event(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EVENTS / name).read_text("utf-8"))
    return document


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("sqs_ingest_feedback.json", IngestMessage),
        ("sqs_route_feedback.json", RouteMessage),
        ("sqs_notify_ticket_opened.json", NotifyMessage),
        ("sqs_fetch_yandex_market_feedback.json", FetchMessage),
        ("sqs_answer_approved_reply.json", ApprovedReply),
    ],
)
def test_each_queue_sample_carries_its_queues_message(name: str, model: type[BaseModel]) -> None:
    [record] = _event(name)["Records"]
    sample = json.loads(record["body"])

    # When the queue's handler decodes the body (and as otklik would put it on the queue again)
    carried = json.loads(encode(decode(model, record["body"])))

    # Then every field of the sample is read as written: none unknown, dropped or reinterpreted
    assert {key: carried.get(key) for key in sample} == sample


def test_the_ozon_push_sample_is_a_customer_chat_message() -> None:
    event = _event("api_push_ozon_new_message.json")
    connection = Connection(name=event["pathParameters"]["connection"], marketplace="ozon")
    result = parse_push(event["body"].encode(), connection, NOW)
    assert (result.status, result.body) == (200, {"result": True})
    assert [e.kind for e in result.envelopes] == ["chat"]


def test_the_yandex_market_sample_is_a_review_notification_to_fetch() -> None:
    event = _event("api_push_yandex_market_feedback.json")
    body = json.loads(event["body"])
    connection = Connection(
        name=event["pathParameters"]["connection"],
        marketplace="yandex_market",
        settings={"business_id": str(body["businessId"])},
    )
    result = parse_notification(event["body"].encode(), connection, NOW)
    assert result.status == 200
    assert [(job.kind, job.ids) for job in result.fetch_jobs] == [
        ("review", {"feedback_id": str(body["feedbackId"])})
    ]


def test_the_poll_schedule_sample_is_a_scheduled_event() -> None:
    event = _event("schedule_poll_marketplaces.json")
    assert (event["detail-type"], event["source"], event["detail"]) == (
        "Scheduled Event",
        "aws.scheduler",
        {},
    )


def test_the_sample_events_carry_the_ids_the_scheme_gives_their_feedback() -> None:
    # Given the README's sample feedback, as the ingest, route, stream and notify events carry it
    ingest = json.loads(
        json.loads((EVENTS / "sqs_ingest_feedback.json").read_text("utf-8"))["Records"][0]["body"]
    )
    expected = feedback_id(ingest["source"], ingest["account"], ingest["kind"], ingest["external_id"])
    route = json.loads((EVENTS / "sqs_route_feedback.json").read_text("utf-8"))["Records"][0]["body"]
    stream = json.loads((EVENTS / "dynamodb_feedback_insert.json").read_text("utf-8"))["Records"][0]
    notify = json.loads(
        json.loads((EVENTS / "sqs_notify_ticket_opened.json").read_text("utf-8"))["Records"][0]["body"]
    )["notification"]

    # Then every event names the ids a real run would give it
    assert ingest["feedback_id"] == expected
    assert json.loads(route)["feedback_id"] == expected
    assert stream["dynamodb"]["NewImage"]["id"]["S"] == expected
    assert notify["ticket_id"] == ticket_id(expected)
    assert notify["id"] == notification_id(ticket_id(expected), notify["event"])
