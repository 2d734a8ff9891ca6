"""Hostile webhooks and pushes (issue 8): refused with a clear 4xx that changes nothing, and never
accepted when the pipeline could not carry the item through afterwards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from otklik.domain.errors import InvalidRequest, NotAuthenticated, Refused, TooLarge
from otklik.domain.marketplaces.models import Connection
from otklik.domain.messages import encode
from otklik.domain.models import (
    MAX_ID_CHARS,
    MAX_LABEL_CHARS,
    MAX_PHOTO_URL_CHARS,
    MAX_PHOTOS,
    MAX_REPLY_CONTEXT,
    MAX_TEXT_CHARS,
    Author,
    FeedbackEnvelope,
    FeedbackItem,
    OrderRef,
    ProductRef,
)
from otklik.domain.signature import SignatureError, compute_signature, sign, verify
from otklik.usecases.ingest import Accepted, WebhookPolicy, accept_webhook
from otklik.usecases.push import accept_push
from tests.unit.fakes import InMemoryReceipts, RecordingQueue
from tests.unit.samples import feedback_item

SECRET = "local-dev-secret"
NOW = datetime(2026, 11, 22, 6, 41, 3, tzinfo=UTC)
NOW_UNIX = int(NOW.timestamp())
POLICY = WebhookPolicy(sources=frozenset({"custom"}), max_body_bytes=256 * 1024, tolerance_seconds=300)
SQS_MESSAGE_LIMIT = 256 * 1024
GOOD = {
    "id": "site-10234",
    "kind": "review",
    "text": "Порвалось через день",
    "rating": 1,
    "created_at": "2026-11-22T09:41:00+03:00",
}


def document(**changes: object) -> bytes:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False).encode()


class Webhook:
    def __init__(self) -> None:
        self.receipts = InMemoryReceipts()
        self.queue = RecordingQueue()

    def post(self, body: bytes, header: str | None = None) -> Accepted:
        signature = sign(SECRET, body, NOW_UNIX) if header is None else header
        return accept_webhook(
            "custom",
            {"X-Otklik-Signature": signature},
            body,
            NOW,
            POLICY,
            lambda source: SECRET,
            self.receipts,
            self.queue,
        )

    def refuses(self, error: type[Refused], body: bytes, header: str | None = None) -> Refused:
        """The refusal of a request, having checked that it queued and recorded nothing."""
        with pytest.raises(error) as caught:
            self.post(body, header)
        assert self.queue.sent == []
        assert self.receipts.recorded == {}
        return caught.value


@pytest.fixture
def webhook() -> Webhook:
    return Webhook()


def fields_named(refusal: Refused) -> set[str]:
    return {detail["field"] for detail in refusal.details}


# ------------------------------------------------------------------ the signature header


VALID_HEX = compute_signature(SECRET, NOW_UNIX, document())


@pytest.mark.parametrize(
    "header",
    [
        f"t={'1' * 4_301},v1={VALID_HEX}",
        f"t={'0' * 5_000}{NOW_UNIX},v1={VALID_HEX}",
        f"t={NOW_UNIX},v1=ÿ{VALID_HEX}",
        f"t={NOW_UNIX},v1=подпись",
        f"t={NOW_UNIX}," + ",".join([f"v1={VALID_HEX}"] * 20),
    ],
    ids=["t-of-4301-digits", "t-padded-with-zeros", "latin1-v1", "cyrillic-v1", "header-too-long"],
)
def test_a_hostile_signature_header_is_a_signature_error(header: str) -> None:
    with pytest.raises(SignatureError):
        verify(header, document(), SECRET, now_unix=NOW_UNIX)


def test_a_t_of_4301_digits_is_401_before_any_secret_is_compared(webhook: Webhook) -> None:
    webhook.refuses(NotAuthenticated, document(), header=f"t={'9' * 4_301},v1={VALID_HEX}")


def test_a_non_ascii_v1_is_401(webhook: Webhook) -> None:
    webhook.refuses(NotAuthenticated, document(), header=f"t={NOW_UNIX},v1=€{VALID_HEX[1:]}")


def test_a_header_rotating_two_secrets_is_still_accepted() -> None:
    body = document()
    old = compute_signature("old-secret", NOW_UNIX, body)

    verify(f"t={NOW_UNIX},v1={old},v1={VALID_HEX}", body, SECRET, now_unix=NOW_UNIX)


# ------------------------------------------------------------------ the body as JSON


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        document()[:-1] + b', "rating": ' + b"1" * 4_301 + b"}",
        b'{"id": "x", "kind": "review", "product": ' + _nested(1_000).encode() + b"}",
        b'{"id": "x", "kind": "review", "text": "\\ud800", "created_at": "2026-11-22T09:41:00Z"}',
        b'{"id": "x", "kind": "review", "rating": NaN, "created_at": "2026-11-22T09:41:00Z"}',
    ],
    ids=["int-of-4301-digits", "nested-1000-deep", "lone-surrogate", "nan"],
)
def test_a_body_no_json_reader_should_take_is_a_bad_request(webhook: Webhook, body: bytes) -> None:
    refusal = webhook.refuses(InvalidRequest, body)

    assert "JSON" in refusal.message or "surrogate" in refusal.message


# ------------------------------------------------------------------ created_at


@pytest.mark.parametrize(
    "created_at",
    [
        "9999-12-31T23:59:59-14:00",  # overflows converting to UTC
        "0001-01-01T00:00:00+14:00",  # underflows converting to UTC
        "9999-12-31T23:00:00Z",  # fits UTC, overflows in Europe/Moscow in score_feedback
        "2200-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        (NOW + timedelta(hours=25)).isoformat(),
    ],
)
def test_a_created_at_the_pipeline_cannot_place_is_a_bad_request_naming_it(
    webhook: Webhook, created_at: str
) -> None:
    refusal = webhook.refuses(InvalidRequest, document(created_at=created_at))

    assert fields_named(refusal) == {"created_at"}


@pytest.mark.parametrize(
    "created_at",
    ["2000-01-01T00:00:00Z", (NOW + timedelta(hours=23)).isoformat(), "2026-11-22 09:41:00+03:00"],
    ids=["first-day-of-the-range", "a-fast-clock", "space-separated"],
)
def test_a_created_at_inside_the_range_is_accepted(webhook: Webhook, created_at: str) -> None:
    assert webhook.post(document(created_at=created_at)).duplicate is False


@pytest.mark.parametrize(
    "created_at", [NOW_UNIX, str(NOW_UNIX), NOW_UNIX * 1000, 1.5e9, "2026-11-22", "22.11.2026 09:41"]
)
def test_a_created_at_that_is_not_an_iso_date_and_time_is_a_bad_request(
    webhook: Webhook, created_at: object
) -> None:
    refusal = webhook.refuses(InvalidRequest, document(created_at=created_at))

    assert fields_named(refusal) == {"created_at"}


def test_an_item_refused_for_its_date_is_accepted_once_the_sender_fixes_it(webhook: Webhook) -> None:
    # Given an item refused for a date in the year 9999
    webhook.refuses(InvalidRequest, document(created_at="9999-12-31T23:00:00Z"))

    # When the sender posts it again with its real date
    accepted = webhook.post(document())

    # Then it is queued as new, not answered "duplicate" for an item that never went through
    assert accepted.duplicate is False
    assert len(webhook.queue.sent) == 1


# ------------------------------------------------------------------ types that would change meaning


@pytest.mark.parametrize("rating", [True, False, "5", 4.0, "★"])
def test_a_rating_that_is_not_a_whole_number_is_a_bad_request(webhook: Webhook, rating: object) -> None:
    refusal = webhook.refuses(InvalidRequest, document(rating=rating))

    assert fields_named(refusal) == {"rating"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": 10234}, "id"),
        ({"text": 42}, "text"),
        ({"kind": True}, "kind"),
        ({"account": 7}, "account"),
        ({"product": {"id": 4411}}, "product.id"),
        ({"customer": {"phone": 79123456789}}, "customer.phone"),
    ],
)
def test_a_number_or_bool_where_text_is_expected_is_a_bad_request_naming_the_field(
    webhook: Webhook, changes: dict[str, object], field: str
) -> None:
    refusal = webhook.refuses(InvalidRequest, document(**changes))

    assert field in fields_named(refusal)


# ------------------------------------------------------------------ sizes


def test_the_largest_envelope_any_channel_may_build_fits_an_sqs_message_with_room_to_spare() -> None:
    # Given an envelope with every field at its limit, in the characters that encode longest
    # ("\x00" becomes the six bytes \u0000; an emoji is four bytes of UTF-8)
    worst = "\x00"
    wide = "😀"
    third = MAX_TEXT_CHARS // 3
    envelope = FeedbackEnvelope(
        feedback_id="fb_" + "0" * 24,
        source=wide * MAX_LABEL_CHARS,
        account=worst * MAX_LABEL_CHARS,
        kind="complaint",
        external_id=worst * MAX_ID_CHARS,
        text=worst * third,
        pros=worst * third,
        cons=worst * (MAX_TEXT_CHARS - 2 * third),
        rating=5,
        product=ProductRef(id=worst * 200, name=worst * 1000, sku=worst * 200),
        order=OrderRef(id=worst * 200),
        author=Author(
            id=worst * 200,
            name=worst * 500,
            email="a@" + "b" * 300 + ".ru",
            phone="+" + "1" * 39,
            tier=worst * 50,
        ),
        photos=tuple("https://" + wide * (MAX_PHOTO_URL_CHARS - 8) for _ in range(MAX_PHOTOS)),
        reply_context={f"{index:0>100}": worst * MAX_ID_CHARS for index in range(MAX_REPLY_CONTEXT)},
        created_at=NOW,
        received_at=NOW,
    )

    # When it is encoded for the queue, Then the limits let it go, and it is well under SQS's 256 KB
    assert envelope.queue_problem() is None
    size = len(encode(envelope).encode("utf-8"))
    assert size < 0.85 * SQS_MESSAGE_LIMIT, size


LIMITS_BROKEN = [
    ({"text": "а" * (MAX_TEXT_CHARS - 10), "pros": "б" * 11}, "text"),
    ({"photos": ("https://example.com/p.jpg",) * (MAX_PHOTOS + 1)}, "photos"),
    ({"photos": ("https://example.com/" + "p" * MAX_PHOTO_URL_CHARS,)}, "photos"),
    ({"external_id": "1" * (MAX_ID_CHARS + 1)}, "external_id"),
    ({"account": "a" * 101}, "account"),
    ({"reply_context": {"chat_id": "c" * (MAX_ID_CHARS + 1)}}, "reply_context"),
    ({"created_at": datetime(9999, 12, 31, 23, tzinfo=UTC)}, "created_at"),
    ({"created_at": datetime(1970, 1, 1, tzinfo=UTC)}, "created_at"),
]
IDS = [
    "words",
    "photo-count",
    "photo-url",
    "external-id",
    "account",
    "reply-context",
    "year-9999",
    "year-1970",
]


def _envelope(**changes: object) -> FeedbackEnvelope:
    fields: dict[str, object] = {
        "feedback_id": "fb_1",
        "source": "ozon",
        "account": "main",
        "kind": "chat",
        "external_id": "1",
        "text": "Где заказ?",
        "created_at": NOW,
        "received_at": NOW,
        **changes,
    }
    return FeedbackEnvelope.model_validate(fields)


@pytest.mark.parametrize(("changes", "field"), LIMITS_BROKEN, ids=IDS)
def test_feedback_over_a_limit_may_not_go_onto_the_queue_and_the_field_is_named(
    changes: dict[str, object], field: str
) -> None:
    problem = _envelope(**changes).queue_problem()

    assert problem is not None
    assert problem[0] == field


def test_feedback_inside_the_limits_may_go_onto_the_queue() -> None:
    assert _envelope().queue_problem() is None


@pytest.mark.parametrize(("changes", "field"), LIMITS_BROKEN, ids=IDS)
def test_a_stored_item_made_before_the_limits_stays_readable(changes: dict[str, object], field: str) -> None:
    # Given an item stored before these limits (its document as FeedbackTable holds it)
    stored = {**feedback_item().model_dump(mode="json"), **_envelope(**changes).model_dump(mode="json")}
    stored["id"] = stored.pop("feedback_id")

    # When it is read back, Then the model still takes it
    assert FeedbackItem.model_validate(stored).external_id == _envelope(**changes).external_id


# ------------------------------------------------------------------ pushes: a body limit before parsing


class Directory:
    def __init__(self, *connections: Connection) -> None:
        self._connections = {connection.name: connection for connection in connections}

    def all(self) -> dict[str, Connection]:
        return self._connections


class Secrets:
    def get(self, name: str) -> str:
        return {"/p/push": "url-token"}[name]


OZON = Connection(name="ozon-main", marketplace="ozon", push_token_parameter="/p/push")


def test_a_push_over_the_body_limit_is_too_large_and_queues_nothing() -> None:
    # Given an Ozon chat push of 1.5 MB of text, sent to a real push URL
    pushed = json.dumps(
        {
            "message_type": "TYPE_NEW_MESSAGE",
            "chat_id": "c-1",
            "message_id": "1",
            "created_at": "2026-11-22T06:00:00Z",
            "user": {"id": "1", "type": "Customer"},
            "data": ["я" * 750_000],
        },
        ensure_ascii=False,
    ).encode()
    ingest, fetch = RecordingQueue(), RecordingQueue()

    # When it arrives, Then it is refused as too large before it is read, and nothing is queued
    with pytest.raises(TooLarge, match=str(256 * 1024)):
        accept_push(
            "ozon",
            "ozon-main",
            "url-token",
            "203.0.113.5",
            pushed,
            NOW,
            Directory(OZON),
            Secrets(),
            ingest,
            fetch,
            max_body_bytes=256 * 1024,
        )
    assert ingest.sent == fetch.sent == []
