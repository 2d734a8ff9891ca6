"""Ozon: reviews and questions page by last_id, chat pushes become feedback, replies go out within limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from otklik import __version__
from otklik.ids import feedback_id
from otklik.marketplaces.base import PermanentRejection, TransientError
from otklik.marketplaces.ozon import OzonConnector, handle_ozon_push
from otklik.models import Author, FeedbackKind, ProductRef
from tests.unit.marketplaces.fakes import NOW, FakeTransport, approved, connection, failed, ok

BASE = "http://127.0.0.1:9102"
SHOP = connection("ozon", "shop-ozon")


def review(ident: str = "017c0d1c-66d3-b838-3d29-cf9b95a6ac48", **fields: Any) -> dict:
    item: dict[str, Any] = {
        "id": ident,
        "sku": 148591503,
        "text": "Чайник протекает по шву, вернула бы, да срок прошёл",
        "published_at": "2026-11-20T07:23:55.970Z",
        "rating": 1,
        "status": "UNPROCESSED",
        "comments_amount": 0,
        "photos_amount": 2,
        "videos_amount": 0,
        "order_status": "DELIVERED",
        "is_rating_participant": True,
    }
    item.update(fields)
    return item


def question(ident: str = "019294ff-6888-7009-89d8-26569e4e450d") -> dict:
    return {
        "answers_count": 0,
        "author_name": "Марина",
        "id": ident,
        "sku": 646399170,
        "product_url": "https://www.ozon.ru/product/1649246352/",
        "published_at": "2026-11-21T12:02:01.889Z",
        "question_link": "https://www.ozon.ru/product/1649246352/questions/?qid=290180206",
        "text": "Подойдёт ли к индукционной плите?",
        "status": "NEW",
    }


def connector(http: FakeTransport) -> OzonConnector:
    return OzonConnector(http, BASE, "123456", "ozon-api-key", SHOP)


def test_a_review_is_mapped_with_its_sku_text_rating_and_time() -> None:
    http = FakeTransport(ok({"reviews": [review()], "has_next": False, "last_id": "017c0d1c"}))

    result = connector(http).poll("reviews", {}, NOW)

    (envelope,) = result.envelopes
    assert envelope.feedback_id == feedback_id(
        "ozon", "shop-ozon", "review", "017c0d1c-66d3-b838-3d29-cf9b95a6ac48"
    )
    assert envelope.kind == "review"
    assert envelope.text == "Чайник протекает по шву, вернула бы, да срок прошёл"
    assert envelope.rating == 1
    assert envelope.product == ProductRef(id="148591503")
    assert envelope.reply_context == {"sku": "148591503"}
    assert envelope.created_at == datetime(2026, 11, 20, 7, 23, 55, 970000, tzinfo=UTC)
    assert envelope.answered is False


def test_reviews_are_asked_unprocessed_ascending_from_the_cursor_with_the_seller_headers() -> None:
    http = FakeTransport(ok({"reviews": [review("r-2")], "has_next": True, "last_id": "r-2"}))

    result = connector(http).poll("reviews", {"last_id": "r-1"}, NOW)

    (sent,) = http.sent
    assert (sent.method, sent.url) == ("POST", f"{BASE}/v1/review/list")
    assert sent.json_body == {"limit": 100, "last_id": "r-1", "sort_dir": "ASC", "status": "UNPROCESSED"}
    assert sent.headers == {"Client-Id": "123456", "Api-Key": "ozon-api-key"}
    assert result.cursor == {"last_id": "r-2"}
    assert result.more is True


def test_an_empty_last_page_keeps_the_cursor() -> None:
    http = FakeTransport(ok({"reviews": [], "has_next": False, "last_id": ""}))

    result = connector(http).poll("reviews", {"last_id": "r-9"}, NOW)

    assert result.cursor == {"last_id": "r-9"}
    assert result.more is False


def test_a_question_is_mapped_with_its_author_and_the_sku_a_reply_needs() -> None:
    http = FakeTransport(ok({"questions": [question()], "last_id": "019294ff", "has_next": False}))

    result = connector(http).poll("questions", {}, NOW)

    (envelope,) = result.envelopes
    assert http.sent[0].path == "/v1/question/list"
    assert http.sent[0].json_body == {
        "filter": {"status": "UNPROCESSED"},
        "limit": 100,
        "last_id": "",
        "sort_dir": "ASC",
    }
    assert envelope.kind == "question"
    assert envelope.text == "Подойдёт ли к индукционной плите?"
    assert envelope.author == Author(name="Марина")
    assert envelope.reply_context == {"sku": "646399170"}
    assert result.cursor == {"last_id": "019294ff"}


def test_a_review_seen_twice_maps_to_one_feedback_id_and_a_bad_one_is_reported_alone() -> None:
    http = FakeTransport(
        ok(
            {
                "reviews": [
                    review("r-1"),
                    review("r-bad", rating=9),
                    {"sku": 1, "text": "без id"},
                    review("r-1"),
                ],
                "has_next": False,
                "last_id": "r-1",
            }
        )
    )

    result = connector(http).poll("reviews", {}, NOW)

    assert [e.external_id for e in result.envelopes] == ["r-1", "r-1"]
    assert result.envelopes[0].feedback_id == result.envelopes[1].feedback_id
    assert [label for label, _ in result.malformed] == ["r-bad", "position 2"]
    assert "rating" in result.malformed[0][1]


def test_a_server_error_is_transient_and_a_forbidden_key_permanent() -> None:
    http = FakeTransport(
        failed(503),
        failed(403, {"code": 7, "message": "Api-key is deactivated", "details": []}),
    )
    ozon = connector(http)

    with pytest.raises(TransientError):
        ozon.poll("reviews", {}, NOW)
    with pytest.raises(PermanentRejection) as refused:
        ozon.poll("reviews", {}, NOW)

    assert (refused.value.status, refused.value.reason) == (403, "Api-key is deactivated")


def test_a_review_reply_is_a_comment_that_marks_the_review_processed() -> None:
    http = FakeTransport(ok({"comment_id": "c-42"}))

    published = connector(http).publish(
        approved("ozon", "review", "r-1", text="Приносим извинения, свяжитесь с нами")
    )

    (sent,) = http.sent
    assert sent.path == "/v1/review/comment/create"
    assert sent.json_body == {
        "review_id": "r-1",
        "text": "Приносим извинения, свяжитесь с нами",
        "mark_review_as_processed": True,
    }
    assert published.platform_answer_id == "c-42"


def test_a_question_answer_carries_the_sku_as_a_number() -> None:
    http = FakeTransport(ok({"answer_id": "0192e7ce"}))

    connector(http).publish(
        approved("ozon", "question", "q-1", text="Да, подойдёт.", reply_context={"sku": "646399170"})
    )

    assert http.sent[0].path == "/v1/question/answer/create"
    assert http.sent[0].json_body == {"question_id": "q-1", "sku": 646399170, "text": "Да, подойдёт."}


def test_a_chat_reply_goes_to_the_chat_of_the_message() -> None:
    http = FakeTransport(ok({"result": "success"}))

    connector(http).publish(
        approved("ozon", "chat", "3000000000817031942", reply_context={"chat_id": "b646d975"})
    )

    assert http.sent[0].path == "/v1/chat/send/message"
    assert http.sent[0].json_body == {
        "chat_id": "b646d975",
        "text": "Спасибо за отзыв! Замену отправим бесплатно.",
    }


@pytest.mark.parametrize(
    ("kind", "text", "context"),
    [
        ("question", "Д", {"sku": "1"}),
        ("question", "а" * 3001, {"sku": "1"}),
        ("chat", "б" * 1001, {"chat_id": "c"}),
        ("question", "Да, подойдёт.", {}),
    ],
)
def test_replies_the_documented_limits_refuse_are_not_sent(
    kind: FeedbackKind, text: str, context: dict[str, str]
) -> None:
    http = FakeTransport()

    with pytest.raises(PermanentRejection):
        connector(http).publish(approved("ozon", kind, "x-1", text=text, reply_context=context))

    assert http.sent == []


def test_a_refused_reply_keeps_ozons_message() -> None:
    http = FakeTransport(failed(400, {"code": 3, "message": "review not found", "details": []}))

    with pytest.raises(PermanentRejection) as refused:
        connector(http).publish(approved("ozon", "review", "r-404"))

    assert (refused.value.status, refused.value.reason) == (400, "review not found")


# ---------------------------------------------------------------------- pushes


def push(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def chat_message(message_type: str = "TYPE_NEW_MESSAGE", user_type: str = "Customer", **fields: Any) -> dict:
    document: dict[str, Any] = {
        "message_type": message_type,
        "chat_id": "b646d975-0c9c-4872-9f41-8b1e57181063",
        "chat_type": "Buyer_Seller",
        "message_id": "3000000000817031942",
        "created_at": "2026-11-21T20:58:04.528Z",
        "user": {"id": "115568", "type": user_type},
        "data": ["Здравствуйте! Заказ пришёл без крышки.", "Что делать?"],
        "seller_id": "7",
    }
    document.update(fields)
    return document


def test_a_ping_is_answered_with_our_name_version_and_time() -> None:
    result = handle_ozon_push(push({"message_type": "TYPE_PING", "time": "2026-11-22T07:00:00Z"}), SHOP, NOW)

    assert result.status == 200
    assert result.body == {"version": __version__, "name": "otklik", "time": "2026-11-22T07:00:00Z"}
    assert (result.envelopes, result.fetch_jobs) == ([], [])


def test_a_customers_chat_message_becomes_chat_feedback() -> None:
    result = handle_ozon_push(push(chat_message()), SHOP, NOW)

    assert (result.status, result.body) == (200, {"result": True})
    (envelope,) = result.envelopes
    assert envelope.kind == "chat"
    assert envelope.external_id == "3000000000817031942"
    assert envelope.feedback_id == feedback_id("ozon", "shop-ozon", "chat", "3000000000817031942")
    assert envelope.text == "Здравствуйте! Заказ пришёл без крышки.\nЧто делать?"
    assert envelope.author == Author(id="115568")
    assert envelope.reply_context == {"chat_id": "b646d975-0c9c-4872-9f41-8b1e57181063"}
    assert envelope.received_at == NOW


def test_the_docs_cyrillic_spelling_of_customer_is_still_the_customer() -> None:
    result = handle_ozon_push(push(chat_message(user_type="Сustomer")), SHOP, NOW)

    assert len(result.envelopes) == 1


def test_an_edited_message_is_the_same_feedback_as_the_original() -> None:
    new = handle_ozon_push(push(chat_message()), SHOP, NOW)
    edited = handle_ozon_push(
        push(chat_message("TYPE_UPDATE_MESSAGE", updated_at="2026-11-21T20:59:04.528Z")), SHOP, NOW
    )

    assert new.envelopes[0].feedback_id == edited.envelopes[0].feedback_id


@pytest.mark.parametrize("user_type", ["Seller", "Support", "NotificationUser"])
def test_messages_not_from_the_customer_are_acknowledged_and_ignored(user_type: str) -> None:
    result = handle_ozon_push(push(chat_message(user_type=user_type)), SHOP, NOW)

    assert (result.status, result.body, result.envelopes) == (200, {"result": True}, [])


def test_other_notification_types_are_acknowledged() -> None:
    result = handle_ozon_push(
        push({"message_type": "TYPE_NEW_POSTING", "posting_number": "24319409-0021-1"}), SHOP, NOW
    )

    assert (result.status, result.body, result.envelopes) == (200, {"result": True}, [])


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        push({"chat_id": "c"}),
        push(chat_message(chat_id=None)),
        push(chat_message(data="одна строка")),
        push(chat_message(created_at="вчера")),
    ],
)
def test_a_malformed_push_is_answered_400_in_ozons_error_form(body: bytes) -> None:
    result = handle_ozon_push(body, SHOP, NOW)

    assert result.status == 400
    error = result.body["error"]
    assert error["code"] == "ERROR_PARAMETER_VALUE_MISSED"
    assert error["message"]
    assert "details" in error
    assert result.envelopes == []
