"""Every sample in events/ is what its trigger really carries: it decodes into the model its handler reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from otklik.domain.marketplaces.models import ApprovedReply, Connection
from otklik.domain.marketplaces.ozon import parse_push as handle_ozon_push
from otklik.domain.marketplaces.yandex_market import parse_notification as handle_yandex_notification
from otklik.domain.messages import FetchMessage, IngestMessage, NotifyMessage, RouteMessage, decode
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
    assert isinstance(decode(model, record["body"]), model)


def test_the_ozon_push_sample_is_a_customer_chat_message() -> None:
    event = _event("api_push_ozon_new_message.json")
    connection = Connection(name=event["pathParameters"]["connection"], marketplace="ozon")
    result = handle_ozon_push(event["body"].encode(), connection, NOW)
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
    result = handle_yandex_notification(event["body"].encode(), connection, NOW)
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
