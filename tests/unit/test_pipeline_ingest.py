"""Own-channel webhooks: a request is refused with a clear error and no side effect, or queued once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from otklik.domain.errors import InvalidRequest, NotAuthenticated, NotFound, Refused, TooLarge
from otklik.domain.ids import feedback_id
from otklik.domain.models import Author, FeedbackEnvelope
from otklik.domain.signature import sign
from otklik.usecases.ingest import Accepted, WebhookPolicy, accept_webhook
from tests.conftest import EVENTS
from tests.unit.fakes import InMemoryReceipts, Journal, QueueUnavailable, RecordingQueue, UnavailableQueue

SECRET = "local-dev-secret"
NOW = datetime(2026, 11, 22, 6, 41, 3, tzinfo=UTC)
POLICY = WebhookPolicy(sources=frozenset({"custom"}), max_body_bytes=4096, tolerance_seconds=300)
GOOD_BODY = (EVENTS / "webhook_body_custom.json").read_bytes()


def signed(body: bytes, *, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    return {"X-Otklik-Signature": sign(secret, body, int(at.timestamp()))}


def body_with(**changes: object) -> bytes:
    document = json.loads(GOOD_BODY)
    for key, value in changes.items():
        if value is None:
            document.pop(key)
        else:
            document[key] = value
    return json.dumps(document, ensure_ascii=False).encode()


def secret_for(source: str) -> str:
    return {"custom": SECRET}[source]


class Webhook:
    """The ingest step with its receipts and queue, as a test drives it."""

    def __init__(self) -> None:
        self.journal: Journal = []
        self.receipts = InMemoryReceipts(self.journal)
        self.queue = RecordingQueue(self.journal)

    def post(
        self, body: bytes, headers: dict[str, str] | None = None, source: str = "custom", now: datetime = NOW
    ) -> Accepted:
        return accept_webhook(
            source,
            signed(body) if headers is None else headers,
            body,
            now,
            POLICY,
            secret_for,
            self.receipts,
            self.queue,
        )


@pytest.fixture
def webhook() -> Webhook:
    return Webhook()


def refused(
    webhook: Webhook,
    error: type[Refused],
    body: bytes,
    headers: dict[str, str] | None = None,
    source: str = "custom",
) -> Refused:
    """The error a request is refused with, having checked that it changed nothing."""
    with pytest.raises(error) as caught:
        webhook.post(body, headers, source)
    assert webhook.queue.sent == []
    assert webhook.receipts.recorded == {}
    return caught.value


def test_a_good_request_is_queued_once_and_then_its_receipt_recorded(webhook: Webhook) -> None:
    accepted = webhook.post(GOOD_BODY)

    expected_id = feedback_id("custom", "default", "review", "site-complaint-10234")
    assert accepted == Accepted(id=expected_id, duplicate=False)
    assert len(webhook.queue.sent) == 1
    assert webhook.journal == [("send", "FeedbackEnvelope"), ("record", expected_id)]


def test_the_same_request_again_is_a_duplicate_with_the_same_id_and_is_not_queued(webhook: Webhook) -> None:
    first = webhook.post(GOOD_BODY)

    again = webhook.post(GOOD_BODY)

    assert again == Accepted(id=first.id, duplicate=True)
    assert len(webhook.queue.sent) == 1


def test_a_redelivery_signed_later_is_still_a_duplicate(webhook: Webhook) -> None:
    first = webhook.post(GOOD_BODY)
    later = NOW + timedelta(minutes=10)

    again = webhook.post(GOOD_BODY, headers=signed(GOOD_BODY, at=later), now=later)

    assert again == Accepted(id=first.id, duplicate=True)
    assert len(webhook.queue.sent) == 1


def test_when_the_queue_fails_no_receipt_is_recorded_so_a_retry_is_queued() -> None:
    # Given a queue that is down
    receipts = InMemoryReceipts()

    # When a good request arrives, Then the sender gets an error (and will retry)
    with pytest.raises(QueueUnavailable):
        accept_webhook(
            "custom", signed(GOOD_BODY), GOOD_BODY, NOW, POLICY, secret_for, receipts, UnavailableQueue()
        )

    # And no receipt claims the item was queued
    assert receipts.recorded == {}


def test_the_envelope_normalizes_time_to_utc_and_the_customer_to_the_author(webhook: Webhook) -> None:
    webhook.post(GOOD_BODY)

    (message,) = webhook.queue.sent
    assert isinstance(message, FeedbackEnvelope)
    assert message.created_at == datetime(2026, 11, 22, 6, 41, tzinfo=UTC)
    assert message.created_at.utcoffset() == timedelta(0)
    assert message.received_at == NOW
    assert message.author == Author(
        id="c-5521", name="Анна", email="anna@example.com", phone="+7 912 345-67-89", tier="regular"
    )
    assert (message.source, message.account, message.kind, message.external_id) == (
        "custom",
        "default",
        "review",
        "site-complaint-10234",
    )
    assert message.text == "Ужасное качество, порвалось через день"
    assert message.rating == 1


def test_an_unknown_source_is_not_found(webhook: Webhook) -> None:
    error = refused(webhook, NotFound, body=GOOD_BODY, source="telegram")

    assert "telegram" in error.message


def test_a_body_over_the_limit_is_too_large(webhook: Webhook) -> None:
    body = body_with(text="о" * 5000)

    error = refused(webhook, TooLarge, body=body)

    assert "4096" in error.message


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Otklik-Signature": sign("wrong-secret", GOOD_BODY, int(NOW.timestamp()))},
        {"X-Otklik-Signature": sign(SECRET, GOOD_BODY, int((NOW - timedelta(seconds=301)).timestamp()))},
        {"X-Otklik-Signature": "garbage"},
    ],
    ids=["missing", "wrong-secret", "stale", "malformed"],
)
def test_an_unsigned_or_badly_signed_request_is_unauthorized(
    webhook: Webhook, headers: dict[str, str]
) -> None:
    refused(webhook, NotAuthenticated, body=GOOD_BODY, headers=headers)


def test_a_header_with_unicode_digits_in_t_is_unauthorized(webhook: Webhook) -> None:
    refused(webhook, NotAuthenticated, body=GOOD_BODY, headers={"X-Otklik-Signature": "t=²,v1=00"})


@pytest.mark.parametrize(
    "body",
    [b'{"id": "x", "kind": ', b"\xff\xfe not utf-8", b"[]", b'"just a string"'],
    ids=["truncated-json", "not-utf8", "json-array", "json-string"],
)
def test_a_body_that_is_not_a_json_object_is_a_bad_request(webhook: Webhook, body: bytes) -> None:
    error = refused(webhook, InvalidRequest, body=body)

    assert "JSON" in error.message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (body_with(kind=None), "kind"),
        (body_with(rating=6), "rating"),
        (body_with(rating=0), "rating"),
        (body_with(kind="spam"), "kind"),
        (body_with(id=None), "id"),
        (body_with(created_at="2026-11-22T09:41:00"), "created_at"),
        (body_with(customer={"email": "not-an-email"}), "customer.email"),
    ],
    ids=["missing-kind", "rating-6", "rating-0", "kind-spam", "missing-id", "naive-created-at", "bad-email"],
)
def test_a_body_off_the_schema_is_a_bad_request_naming_the_field(
    webhook: Webhook, body: bytes, field: str
) -> None:
    error = refused(webhook, InvalidRequest, body=body)

    assert field in [detail["field"] for detail in error.details]


def test_an_empty_text_without_a_rating_is_a_bad_request_saying_why(webhook: Webhook) -> None:
    body = body_with(text="   ", rating=None)

    error = refused(webhook, InvalidRequest, body=body)

    assert len(error.details) == 1
    assert "text" in error.details[0]["error"]
    assert "rating" in error.details[0]["error"]


def test_an_empty_text_with_a_rating_is_accepted(webhook: Webhook) -> None:
    accepted = webhook.post(body_with(text=""))

    assert accepted.duplicate is False
    assert len(webhook.queue.sent) == 1
