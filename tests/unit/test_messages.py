"""Queue messages: each queue's model survives the trip as JSON, and a malformed body is refused."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from otklik.domain.messages import MalformedMessage, NotifyMessage, RouteMessage, decode, encode
from otklik.domain.models import Author, FeedbackEnvelope, Notification, OrderRef, ProductRef
from tests.conftest import EVENTS
from tests.unit.samples import NOW, envelope


def test_a_feedback_envelope_survives_encode_and_decode() -> None:
    original = envelope(text="Порвалось «через день»\nответьте").model_copy(
        update={
            "product": ProductRef(id="sku-4411", name="Рюкзак городской 20 л"),
            "order": OrderRef(id="ord-88213"),
            "author": Author(id="c-5521", email="anna@example.com", phone="+7 912 345-67-89"),
        }
    )

    assert decode(FeedbackEnvelope, encode(original)) == original


def test_empty_optional_fields_are_left_out_of_the_message() -> None:
    original = envelope(rating=None)

    body = encode(original)

    assert "rating" not in json.loads(body)
    assert decode(FeedbackEnvelope, body).rating is None


def test_a_route_message_survives_encode_and_decode() -> None:
    original = RouteMessage(feedback_id="fb_123")

    assert decode(RouteMessage, encode(original)) == original


def test_a_notify_message_survives_encode_and_decode() -> None:
    original = NotifyMessage(
        notification=Notification(
            id="nt_1",
            ticket_id="tk_1",
            event="sla_breached",
            created_at=NOW,
            title="[high] Просрочен первый ответ по тикету tk_1",
            text="команда: support\n«[email]»",
        )
    )

    assert decode(NotifyMessage, encode(original)) == original


def test_the_sample_ingest_event_body_decodes() -> None:
    record = json.loads((EVENTS / "sqs_ingest_feedback.json").read_text(encoding="utf-8"))["Records"][0]

    message = decode(FeedbackEnvelope, record["body"])

    assert message.source == "custom"
    assert message.created_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (RouteMessage, "not json"),
        (RouteMessage, "{}"),
        (RouteMessage, '{"feedback_id": 42}'),
        (RouteMessage, '{"feedback_id": "fb_1", "unexpected": true}'),
        (NotifyMessage, '{"notification": {"id": "nt_1"}}'),
        (NotifyMessage, "[]"),
        (FeedbackEnvelope, '{"feedback_id": "fb_1", "kind": "spam"}'),
        (FeedbackEnvelope, ""),
    ],
    ids=[
        "not-json",
        "empty-object",
        "wrong-type",
        "unknown-field",
        "incomplete-notification",
        "array",
        "bad-envelope",
        "empty-body",
    ],
)
def test_a_malformed_body_raises_a_malformed_message_error(model: type[BaseModel], body: str) -> None:
    with pytest.raises(MalformedMessage):
        decode(model, body)


def test_the_error_names_fields_but_never_repeats_customer_text() -> None:
    # Given an envelope whose rating is wrong and whose text carries a phone number
    body = '{"feedback_id": "fb_1", "text": "звоните +7 912 345-67-89", "rating": "пять"}'
    # When it is decoded
    with pytest.raises(MalformedMessage) as raised:
        decode(FeedbackEnvelope, body)
    # Then the error says which fields are wrong, and nothing of what the customer wrote
    message = str(raised.value)
    assert "rating" in message
    assert "912" not in message
    assert "звоните" not in message
    assert raised.value.__cause__ is None


def test_a_notification_about_no_ticket_goes_through_the_queue_as_it_was() -> None:
    # Given a dead-letter queue's notification (no ticket; queues drop what is None)
    from datetime import UTC, datetime

    from otklik.domain.notifications import event_notification

    note = event_notification(
        "dlq_not_empty", "AnswerDLQ@t", {"queue": {"name": "AnswerDLQ", "messages": 1}}, datetime.now(UTC)
    )

    # When it is encoded for NotifyQueue and decoded by send_notifications, it is the same notification
    assert decode(NotifyMessage, encode(NotifyMessage(notification=note))).notification == note
