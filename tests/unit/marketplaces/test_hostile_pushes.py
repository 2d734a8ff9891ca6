"""Hostile platform input (issue 8): a push the pipeline could not carry is answered 400 in the platform's
own error form, and a polled item it could not carry is skipped and reported while the page goes on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from otklik.domain.marketplaces import ozon, wildberries, yandex_market
from otklik.domain.models import MAX_PHOTOS, MAX_TEXT_CHARS
from tests.unit.marketplaces.fakes import NOW, connection
from tests.unit.marketplaces.platform_items import (
    body,
    ozon_chat_message,
    ozon_review,
    wildberries_review,
    yandex_market_review,
)

OZON = connection("ozon", "shop-ozon")
YM = connection("yandex_market", "shop-ym", {"business_id": "7654321"})


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def ozon_refusal(pushed: bytes) -> dict[str, Any]:
    """The error of an Ozon push answered 400 in Ozon's form, having checked that it brought nothing."""
    result = ozon.parse_push(pushed, OZON, NOW)
    assert result.status == 400
    assert result.envelopes == []
    error: dict[str, Any] = result.body["error"]
    assert error["code"] == "ERROR_PARAMETER_VALUE_MISSED"
    return error


def ym_refusal(pushed: bytes) -> str:
    """The message of a Yandex Market notification answered 400 WRONG_EVENT_FORMAT, bringing no job."""
    result = yandex_market.parse_notification(pushed, YM, NOW)
    assert result.status == 400
    assert result.fetch_jobs == []
    assert result.body["error"]["type"] == "WRONG_EVENT_FORMAT"
    message: str = result.body["error"]["message"]
    return message


# ------------------------------------------------------------------ Ozon pushes


@pytest.mark.parametrize(
    "pushed",
    [
        body(ozon_chat_message())[:-1] + b', "seller_id": ' + b"7" * 4_301 + b"}",
        b'{"message_type": "TYPE_NEW_MESSAGE", "data": ' + _nested(1_000) + b"}",
        json.dumps(ozon_chat_message(data=["\ud800"])).encode(),  # json.dumps writes it as \ud800
        b'{"message_type": "TYPE_PING", "time": Infinity}',
    ],
    ids=["int-of-4301-digits", "nested-1000-deep", "lone-surrogate", "infinity"],
)
def test_an_unreadable_ozon_push_is_400_in_ozons_form(pushed: bytes) -> None:
    error = ozon_refusal(pushed)

    assert error["message"]
    assert error["details"] is None


@pytest.mark.parametrize(
    "created_at",
    [
        "9999-12-31T23:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "1970-01-01T00:00:00Z",
    ],
)
def test_an_ozon_message_dated_where_the_pipeline_cannot_place_it_is_400_naming_created_at(
    created_at: str,
) -> None:
    error = ozon_refusal(body(ozon_chat_message(created_at=created_at)))

    assert error["details"] == "created_at"
    assert "created_at" in error["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"chat_id": {"id": "c"}}, "chat_id"),
        ({"message_id": True}, "message_id"),
        ({"data": ["я" * (MAX_TEXT_CHARS + 1)]}, "data"),
    ],
    ids=["chat-id-object", "message-id-bool", "text-over-the-limit"],
)
def test_an_ozon_message_the_queue_could_not_carry_is_400_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    error = ozon_refusal(body(ozon_chat_message(**changes)))

    assert error["details"] == field


@pytest.mark.parametrize("key", ["message_id", "chat_id"])
def test_an_ozon_message_with_an_id_too_long_for_an_envelope_is_400_naming_it(key: str) -> None:
    error = ozon_refusal(body(ozon_chat_message(**{key: "3" * 5_000})))

    assert error["details"] == key


# ------------------------------------------------------------------ Yandex Market notifications


@pytest.mark.parametrize(
    "pushed",
    [
        b'{"notificationType": "PING", "time": ' + b"1" * 4_301 + b"}",
        b'{"notificationType": "PING", "x": ' + _nested(1_000) + b"}",
        b'{"notificationType": "PING\\udfff"}',
    ],
    ids=["int-of-4301-digits", "nested-1000-deep", "lone-surrogate"],
)
def test_an_unreadable_yandex_market_notification_is_400_wrong_event_format(pushed: bytes) -> None:
    assert ym_refusal(pushed)


@pytest.mark.parametrize("feedback", ["1" * 21, 10**25, "²", "١٢٣", -5])
def test_a_feedback_id_that_is_no_yandex_market_id_is_400(feedback: object) -> None:
    pushed = body(
        {"notificationType": "GOODS_FEEDBACK_CREATED", "businessId": 7654321, "feedbackId": feedback}
    )

    assert "feedbackId" in ym_refusal(pushed)


# ------------------------------------------------------------------ polled items


FAR_FUTURE = "9999-12-31T23:00:00Z"


def test_a_wildberries_review_dated_9999_is_skipped_and_reported_and_the_cursor_ignores_it() -> None:
    # Given a page with one review dated in the year 9999 between two good ones
    items = [
        wildberries_review("good-1", "2026-11-21T10:00:00Z"),
        wildberries_review("year-9999", FAR_FUTURE),
        wildberries_review("good-2", "2026-11-21T10:00:03Z"),
    ]

    # When the page is read
    page = wildberries.poll_page("review", items, wildberries.WildberriesCursor(), 100, "shop-wb", NOW)

    # Then the good ones go on, the bad one is reported by its id and date field,
    # and the next poll does not jump to 9999 (which would skip every real review after it)
    assert [e.external_id for e in page.envelopes] == ["good-1", "good-2"]
    assert [label for label, _ in page.malformed] == ["year-9999"]
    assert "createdDate" in page.malformed[0][1]
    assert page.cursor["date_from"] == int(datetime(2026, 11, 21, 10, 0, 3, tzinfo=UTC).timestamp())


@pytest.mark.parametrize("published_at", [FAR_FUTURE, "1999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"])
def test_an_ozon_review_dated_out_of_range_is_skipped_and_reported(published_at: str) -> None:
    items = [ozon_review("bad", published_at=published_at), ozon_review("good")]

    page = ozon.poll_page("review", items, ozon.OzonCursor(), None, None, "shop-ozon", NOW)

    assert [e.external_id for e in page.envelopes] == ["good"]
    assert [label for label, _ in page.malformed] == ["bad"]
    assert "published_at" in page.malformed[0][1]


def test_a_yandex_market_review_dated_9999_is_skipped_and_does_not_move_the_window() -> None:
    items = [yandex_market_review(1, FAR_FUTURE), yandex_market_review(2)]

    page = yandex_market.poll_page(items, yandex_market.YandexMarketCursor(), None, None, "shop-ym", NOW)

    assert [e.external_id for e in page.envelopes] == ["2"]
    assert [label for label, _ in page.malformed] == ["1"]
    assert page.cursor["since"] is not None
    assert page.cursor["since"].startswith("2026-")


def test_a_polled_text_with_a_lone_surrogate_is_skipped_not_queued() -> None:
    # Given a review whose text the platform's JSON spelled as "\ud800" (json.loads takes it)
    item = json.loads(
        '{"id": "bad", "text": "\\ud800", "productValuation": 5, "createdDate": "2026-11-21T10:00:00Z"}'
    )

    page = wildberries.poll_page(
        "review", [item, wildberries_review("good")], wildberries.WildberriesCursor(), 100, "shop-wb", NOW
    )

    assert [e.external_id for e in page.envelopes] == ["good"]
    assert [label for label, _ in page.malformed] == ["bad"]


def test_a_review_with_more_photos_than_a_message_carries_keeps_the_first_ones() -> None:
    links = [
        {"fullSize": f"https://feedback04.wbbasket.ru/{index}/fs.jpg"} for index in range(MAX_PHOTOS + 5)
    ]
    links.insert(0, {"fullSize": "https://feedback04.wbbasket.ru/" + "x" * 1_000})

    envelope = wildberries.feedback_envelope("review", wildberries_review(photoLinks=links), "shop-wb", NOW)

    assert len(envelope.photos) == MAX_PHOTOS
    assert envelope.photos[0] == "https://feedback04.wbbasket.ru/0/fs.jpg"
