"""Yandex Market platform facts: reviews and chats read as feedback, the window cursor, notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik import __version__
from otklik.domain.ids import feedback_id
from otklik.domain.marketplaces.models import FetchJob
from otklik.domain.marketplaces.yandex_market import (
    YandexMarketCursor,
    business_id,
    chat_envelope,
    parse_notification,
    poll_page,
    review_envelope,
    window_since,
)
from otklik.domain.models import Author, OrderRef, ProductRef
from tests.unit.marketplaces.fakes import NOW, connection
from tests.unit.marketplaces.platform_items import body, yandex_market_review

SHOP = connection("yandex_market", "shop-ym", {"business_id": "7654321"})


def test_a_review_is_mapped_with_pros_cons_comment_rating_order_product_author_and_photos() -> None:
    envelope = review_envelope(yandex_market_review(), "shop-ym", NOW)

    assert envelope.feedback_id == feedback_id("yandex_market", "shop-ym", "review", "88001")
    assert envelope.text == "В целом неплохо, но за такую цену ожидала большего"
    assert (envelope.pros, envelope.cons, envelope.rating) == ("Быстро кипятит", "Ручка нагревается", 3)
    assert envelope.order == OrderRef(id="51234567")
    assert envelope.product == ProductRef(id="kettle-steel-1.7", sku="kettle-steel-1.7")
    assert envelope.author == Author(name="Ирина К.")
    assert envelope.photos == ("https://avatars.mds.yandex.net/get-market-ugc/1/orig",)
    assert envelope.answered is False
    assert envelope.created_at == datetime(2026, 11, 20, 11, 30, 30, tzinfo=UTC)


def test_an_older_answer_with_a_model_id_still_names_the_product() -> None:
    item = yandex_market_review(identifiers={"orderId": 1, "modelId": 1713074440})

    envelope = review_envelope(item, "shop-ym", NOW)

    assert envelope.product == ProductRef(id="1713074440")


def test_a_broken_review_is_reported_by_its_id_or_position_and_the_rest_goes_on() -> None:
    items = [
        yandex_market_review(5),
        yandex_market_review(6, statistics={"rating": 0, "commentsCount": 0}),
        {"createdAt": "x"},
    ]

    result = poll_page(items, YandexMarketCursor(), None, None, "shop-ym", NOW)

    assert [e.external_id for e in result.envelopes] == ["5"]
    assert [label for label, _ in result.malformed] == ["6", "position 2"]


def test_a_window_that_pages_keeps_its_since_and_collects_the_newest_review() -> None:
    since = datetime(2026, 11, 1, tzinfo=UTC)
    items = [yandex_market_review(1, "2026-11-20T10:00:00Z"), yandex_market_review(2, "2026-11-19T10:00:00Z")]

    result = poll_page(items, YandexMarketCursor(since), since, "page-2", "shop-ym", NOW)

    assert result.more is True
    assert result.cursor == {
        "since": since.isoformat(),
        "page_token": "page-2",
        "window_newest": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).isoformat(),
    }


def test_the_end_of_a_window_never_moves_since_back() -> None:
    since = datetime(2026, 11, 20, tzinfo=UTC)
    items = [yandex_market_review(1, "2026-11-21T00:00:00Z")]  # newest less the overlap is before since

    result = poll_page(items, YandexMarketCursor(since), since, None, "shop-ym", NOW)

    assert result.more is False
    assert result.cursor == {"since": since.isoformat(), "page_token": None, "window_newest": None}


def test_a_new_window_reaches_back_at_most_six_months_but_a_paging_one_keeps_its_query() -> None:
    long_ago = NOW - timedelta(days=400)

    assert window_since(YandexMarketCursor(long_ago), NOW) == NOW - timedelta(days=180)
    assert window_since(YandexMarketCursor(long_ago, "page-2"), NOW) == long_ago
    assert window_since(YandexMarketCursor(), NOW) is None


def test_a_connection_without_a_business_id_names_the_missing_setting() -> None:
    with pytest.raises(ValueError, match="business_id"):
        business_id(connection("yandex_market", "no-bid"))


def test_a_customers_chat_message_becomes_chat_feedback_and_anyone_elses_does_not() -> None:
    message = {
        "messageId": 9001,
        "createdAt": "2026-11-21T18:05:00+03:00",
        "sender": "CUSTOMER",
        "message": "Курьер не приехал в назначенное время",
        "payload": [{"name": "photo.jpg", "url": "https://market.yandex.ru/files/1", "size": 2048}],
    }

    envelope = chat_envelope(message, "31337", "9001", "shop-ym", NOW)
    partner = chat_envelope({**message, "sender": "PARTNER"}, "31337", "9001", "shop-ym", NOW)

    assert envelope is not None
    assert envelope.feedback_id == feedback_id("yandex_market", "shop-ym", "chat", "9001")
    assert envelope.text == "Курьер не приехал в назначенное время"
    assert envelope.photos == ("https://market.yandex.ru/files/1",)
    assert envelope.reply_context == {"chat_id": "31337"}
    assert partner is None


# ---------------------------------------------------------------------- notifications


ACCEPTED = {"version": __version__, "name": "otklik", "time": "2026-11-22T07:00:00Z"}


def test_a_ping_is_answered_with_our_name_version_and_time() -> None:
    result = parse_notification(body({"notificationType": "PING", "time": "2026-11-22T06:59:59Z"}), SHOP, NOW)

    assert (result.status, result.body) == (200, ACCEPTED)
    assert result.fetch_jobs == []


def test_a_new_review_notification_is_answered_at_once_with_a_job_to_fetch_it() -> None:
    notified = {
        "notificationType": "GOODS_FEEDBACK_CREATED",
        "businessId": 7654321,
        "feedbackId": 88001,
        "createdAt": "2026-11-22T06:50:00Z",
        "publishedAt": "2026-11-22T06:58:00Z",
    }

    result = parse_notification(body(notified), SHOP, NOW)

    assert (result.status, result.body) == (200, ACCEPTED)
    assert result.fetch_jobs == [FetchJob("shop-ym", "review", {"feedback_id": "88001"}, NOW)]
    assert result.envelopes == []


def test_a_chat_message_notification_brings_a_job_with_both_ids() -> None:
    notified = {
        "notificationType": "CHAT_MESSAGE_SENT",
        "businessId": 7654321,
        "chatId": 31337,
        "messageId": "9001",
        "sentAt": "2026-11-22T06:59:00Z",
    }

    result = parse_notification(body(notified), SHOP, NOW)

    assert result.fetch_jobs == [FetchJob("shop-ym", "chat", {"chat_id": "31337", "message_id": "9001"}, NOW)]


def test_other_notification_types_are_acknowledged_without_jobs() -> None:
    notified = {
        "notificationType": "ORDER_CREATED",
        "campaignId": 1,
        "orderId": 2,
        "createdAt": "2026-11-22T06:59:00Z",
    }

    result = parse_notification(body(notified), SHOP, NOW)

    assert (result.status, result.body, result.fetch_jobs) == (200, ACCEPTED, [])


@pytest.mark.parametrize(
    "notified",
    [
        b"not json",
        b'"PING"',
        body({"time": "2026-11-22T06:59:59Z"}),
        body({"notificationType": "GOODS_FEEDBACK_CREATED", "businessId": 7654321}),
        body({"notificationType": "CHAT_MESSAGE_SENT", "businessId": 7654321, "chatId": 1}),
        body({"notificationType": "GOODS_FEEDBACK_CREATED", "businessId": 1111, "feedbackId": 5}),
    ],
)
def test_a_malformed_notification_is_answered_400_wrong_event_format(notified: bytes) -> None:
    result = parse_notification(notified, SHOP, NOW)

    assert result.status == 400
    assert result.body["error"]["type"] == "WRONG_EVENT_FORMAT"
    assert result.body["error"]["message"]
    assert result.fetch_jobs == []
