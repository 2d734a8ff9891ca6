"""Yandex Market HTTP client: windows page by token on the wire, notified ids are fetched, replies go out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from otklik.adapters.marketplaces.yandex_market import YandexMarketConnector
from otklik.domain.ids import feedback_id
from otklik.domain.marketplaces.models import FetchJob, MalformedItem, PermanentRejection, TransientError
from otklik.domain.models import FeedbackKind
from tests.unit.marketplaces.fakes import NOW, FakeTransport, approved, connection, failed, ok
from tests.unit.marketplaces.platform_items import yandex_market_review

BASE = "http://127.0.0.1:9103"
SHOP = connection("yandex_market", "shop-ym", {"business_id": "7654321"})
FEEDBACKS = "/v2/businesses/7654321/goods-feedback"


def page(*items: dict, token: str | None = None) -> dict:
    result: dict[str, Any] = {"feedbacks": list(items)}
    if token:
        result["paging"] = {"nextPageToken": token}
    return {"status": "OK", "result": result}


def connector(http: FakeTransport) -> YandexMarketConnector:
    return YandexMarketConnector(http, BASE, "ACMA:ym-api-key", SHOP)


def test_the_first_poll_asks_for_reviews_needing_a_reaction_with_the_api_key() -> None:
    http = FakeTransport(ok(page()))

    connector(http).poll("goods_feedback", {}, NOW)

    (sent,) = http.sent
    assert (sent.method, sent.url) == ("POST", BASE + FEEDBACKS)
    assert sent.query == {"limit": 50}
    assert sent.json_body == {"reactionStatus": "NEED_REACTION"}
    assert sent.headers == {"Api-Key": "ACMA:ym-api-key"}


def test_pages_follow_the_token_then_the_next_window_starts_at_the_newest_review_less_the_overlap() -> None:
    http = FakeTransport(
        ok(page(yandex_market_review(1, "2026-11-20T10:00:00Z"), token="page-2")),
        ok(page(yandex_market_review(2, "2026-11-21T09:00:00Z"))),
        ok(page()),
    )
    ym = connector(http)

    first = ym.poll("goods_feedback", {}, NOW)
    second = ym.poll("goods_feedback", first.cursor, NOW)
    ym.poll("goods_feedback", second.cursor, NOW)

    assert first.more is True
    assert first.cursor["page_token"] == "page-2"
    assert http.sent[1].query == {"limit": 50, "pageToken": "page-2"}
    assert "dateTimeFrom" not in http.sent[1].json_body  # a window keeps its query while it pages
    assert second.more is False
    since = datetime(2026, 11, 21, 9, 0, tzinfo=UTC) - timedelta(days=3)
    assert second.cursor == {"since": since.isoformat(), "page_token": None, "window_newest": None}
    assert http.sent[2].json_body == {"reactionStatus": "NEED_REACTION", "dateTimeFrom": since.isoformat()}
    assert "pageToken" not in http.sent[2].query


def test_the_window_never_reaches_further_back_than_the_six_months_the_api_allows() -> None:
    http = FakeTransport(ok(page()))
    long_ago = NOW - timedelta(days=400)

    connector(http).poll("goods_feedback", {"since": long_ago.isoformat()}, NOW)

    assert http.sent[0].json_body["dateTimeFrom"] == (NOW - timedelta(days=180)).isoformat()


def test_a_review_re_read_in_the_next_windows_overlap_keeps_its_feedback_id() -> None:
    http = FakeTransport(ok(page(yandex_market_review(5))), ok(page(yandex_market_review(5))))
    ym = connector(http)

    first = ym.poll("goods_feedback", {}, NOW)
    again = ym.poll("goods_feedback", first.cursor, NOW)

    assert "dateTimeFrom" in http.sent[1].json_body
    assert first.envelopes[0].feedback_id == again.envelopes[0].feedback_id


def test_enhance_your_calm_is_transient_after_the_clients_backoff() -> None:
    http = FakeTransport(
        failed(420, {"status": "ERROR", "errors": [{"code": "LIMIT_EXCEEDED", "message": "Hit rate limit"}]})
    )

    with pytest.raises(TransientError, match="420"):
        connector(http).poll("goods_feedback", {}, NOW)


def test_a_connection_without_a_business_id_cannot_make_a_connector() -> None:
    with pytest.raises(ValueError, match="business_id"):
        YandexMarketConnector(FakeTransport(), BASE, "key", connection("yandex_market", "no-bid"))


# ---------------------------------------------------------------------- fetch jobs


def job(kind: FeedbackKind, **ids: str) -> FetchJob:
    return FetchJob(connection="shop-ym", kind=kind, ids=ids, notified_at=NOW)


def test_a_notified_review_is_fetched_by_its_id_alone() -> None:
    http = FakeTransport(ok(page(yandex_market_review(88001))))

    envelopes = connector(http).fetch(job("review", feedback_id="88001"), NOW)

    assert [e.external_id for e in envelopes] == ["88001"]
    assert http.sent[0].path == FEEDBACKS
    assert http.sent[0].json_body == {"feedbackIds": [88001]}


def test_a_deleted_review_fetches_nothing() -> None:
    http = FakeTransport(ok(page()))

    assert connector(http).fetch(job("review", feedback_id="88001"), NOW) == []


def test_a_customers_chat_message_is_fetched_into_chat_feedback() -> None:
    http = FakeTransport(
        ok(
            {
                "status": "OK",
                "result": {
                    "messageId": 9001,
                    "createdAt": "2026-11-21T18:05:00+03:00",
                    "sender": "CUSTOMER",
                    "message": "Курьер не приехал в назначенное время",
                    "payload": [
                        {"name": "photo.jpg", "url": "https://market.yandex.ru/files/1", "size": 2048}
                    ],
                },
            }
        )
    )

    (envelope,) = connector(http).fetch(job("chat", chat_id="31337", message_id="9001"), NOW)

    sent = http.sent[0]
    assert (sent.method, sent.path) == ("GET", "/v2/businesses/7654321/chats/message")
    assert sent.query == {"chatId": "31337", "messageId": "9001"}
    assert envelope.kind == "chat"
    assert envelope.text == "Курьер не приехал в назначенное время"
    assert envelope.reply_context == {"chat_id": "31337"}
    assert envelope.photos == ("https://market.yandex.ru/files/1",)
    assert envelope.feedback_id == feedback_id("yandex_market", "shop-ym", "chat", "9001")


def test_the_sellers_own_chat_message_is_not_feedback() -> None:
    http = FakeTransport(
        ok(
            {
                "status": "OK",
                "result": {"messageId": 9002, "createdAt": "2026-11-21T18:06:00Z", "sender": "PARTNER"},
            }
        )
    )

    assert connector(http).fetch(job("chat", chat_id="31337", message_id="9002"), NOW) == []


def test_a_job_with_ids_that_are_not_numbers_is_malformed() -> None:
    with pytest.raises(MalformedItem):
        connector(FakeTransport()).fetch(job("chat", chat_id="abc", message_id="1"), NOW)


# ---------------------------------------------------------------------- replies


def test_a_review_reply_is_a_store_comment_on_the_review() -> None:
    http = FakeTransport(ok({"status": "OK", "result": {"id": 777, "text": "…", "status": "UNMODERATED"}}))

    published = connector(http).publish(approved("yandex_market", "review", "88001", text="Спасибо, учтём!"))

    (sent,) = http.sent
    assert sent.path == "/v2/businesses/7654321/goods-feedback/comments/update"
    assert sent.json_body == {"feedbackId": 88001, "comment": {"text": "Спасибо, учтём!"}}
    assert published.platform_answer_id == "777"


def test_a_chat_reply_is_sent_to_the_chat_of_the_message() -> None:
    http = FakeTransport(ok({"status": "OK"}))

    connector(http).publish(
        approved("yandex_market", "chat", "9001", text="Уже разбираемся", reply_context={"chat_id": "31337"})
    )

    (sent,) = http.sent
    assert (sent.path, sent.query) == ("/v2/businesses/7654321/chats/message", {"chatId": "31337"})
    assert sent.json_body == {"message": "Уже разбираемся"}


def test_a_reply_longer_than_4096_characters_is_refused_without_sending() -> None:
    http = FakeTransport()

    with pytest.raises(PermanentRejection, match="4096"):
        connector(http).publish(approved("yandex_market", "review", "88001", text="ы" * 4097))

    assert http.sent == []


def test_yandex_markets_error_codes_are_the_rejection_reason() -> None:
    http = FakeTransport(
        failed(400, {"status": "ERROR", "errors": [{"code": "BAD_REQUEST", "message": "Feedback not found"}]})
    )

    with pytest.raises(PermanentRejection) as refused:
        connector(http).publish(approved("yandex_market", "review", "88001"))

    assert (refused.value.status, refused.value.reason) == (400, "BAD_REQUEST: Feedback not found")
