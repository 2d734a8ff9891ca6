"""Ozon platform facts: reviews and questions read as feedback, the last_id cursor, chat pushes answered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from otklik import __version__
from otklik.domain.ids import feedback_id
from otklik.domain.marketplaces.ozon import (
    OzonCursor,
    parse_push,
    poll_page,
    question_envelope,
    review_envelope,
)
from otklik.domain.models import Author, ProductRef
from tests.unit.marketplaces.fakes import NOW, connection
from tests.unit.marketplaces.platform_items import body, ozon_chat_message, ozon_question, ozon_review

SHOP = connection("ozon", "shop-ozon")


def test_a_review_is_mapped_with_its_sku_text_rating_and_time() -> None:
    envelope = review_envelope(ozon_review(), "shop-ozon", NOW)

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


def test_a_question_is_mapped_with_its_author_and_the_sku_a_reply_needs() -> None:
    envelope = question_envelope(ozon_question(), "shop-ozon", NOW)

    assert envelope.kind == "question"
    assert envelope.text == "Подойдёт ли к индукционной плите?"
    assert envelope.author == Author(name="Марина")
    assert envelope.reply_context == {"sku": "646399170"}
    assert envelope.answered is False


def test_a_review_seen_twice_maps_to_one_feedback_id_and_a_bad_one_is_reported_alone() -> None:
    items = [
        ozon_review("r-1"),
        ozon_review("r-bad", rating=9),
        {"sku": 1, "text": "без id"},
        ozon_review("r-1"),
    ]

    result = poll_page("review", items, OzonCursor(), "r-1", False, "shop-ozon", NOW)

    assert [e.external_id for e in result.envelopes] == ["r-1", "r-1"]
    assert result.envelopes[0].feedback_id == result.envelopes[1].feedback_id
    assert [label for label, _ in result.malformed] == ["r-bad", "position 2"]
    assert "rating" in result.malformed[0][1]


def test_an_empty_last_page_keeps_the_cursor() -> None:
    result = poll_page("review", [], OzonCursor("r-9"), "", False, "shop-ozon", NOW)

    assert result.cursor == {"last_id": "r-9"}
    assert result.more is False


def test_without_last_id_and_has_next_the_next_poll_resumes_after_the_last_item_read() -> None:
    items = [ozon_review("r-2"), ozon_review("r-3")]

    result = poll_page("review", items, OzonCursor("r-1"), None, None, "shop-ozon", NOW)

    assert result.cursor == {"last_id": "r-3"}
    assert result.more is True


# ---------------------------------------------------------------------- pushes


def test_a_ping_is_answered_with_our_name_version_and_time() -> None:
    result = parse_push(body({"message_type": "TYPE_PING", "time": "2026-11-22T07:00:00Z"}), SHOP, NOW)

    assert result.status == 200
    assert result.body == {"version": __version__, "name": "otklik", "time": "2026-11-22T07:00:00Z"}
    assert (result.envelopes, result.fetch_jobs) == ([], [])


def test_a_customers_chat_message_becomes_chat_feedback() -> None:
    result = parse_push(body(ozon_chat_message()), SHOP, NOW)

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
    result = parse_push(body(ozon_chat_message(user_type="Сustomer")), SHOP, NOW)

    assert len(result.envelopes) == 1


def test_an_edited_message_is_the_same_feedback_as_the_original() -> None:
    new = parse_push(body(ozon_chat_message()), SHOP, NOW)
    edited = parse_push(
        body(ozon_chat_message("TYPE_UPDATE_MESSAGE", updated_at="2026-11-21T20:59:04.528Z")), SHOP, NOW
    )

    assert new.envelopes[0].feedback_id == edited.envelopes[0].feedback_id


@pytest.mark.parametrize("user_type", ["Seller", "Support", "NotificationUser"])
def test_messages_not_from_the_customer_are_acknowledged_and_ignored(user_type: str) -> None:
    result = parse_push(body(ozon_chat_message(user_type=user_type)), SHOP, NOW)

    assert (result.status, result.body, result.envelopes) == (200, {"result": True}, [])


def test_other_notification_types_are_acknowledged() -> None:
    result = parse_push(
        body({"message_type": "TYPE_NEW_POSTING", "posting_number": "24319409-0021-1"}), SHOP, NOW
    )

    assert (result.status, result.body, result.envelopes) == (200, {"result": True}, [])


@pytest.mark.parametrize(
    "pushed",
    [
        b"{not json",
        b"[1, 2]",
        body({"chat_id": "c"}),
        body(ozon_chat_message(chat_id=None)),
        body(ozon_chat_message(data="одна строка")),
        body(ozon_chat_message(created_at="вчера")),
    ],
)
def test_a_malformed_push_is_answered_400_in_ozons_error_form(pushed: bytes) -> None:
    result = parse_push(pushed, SHOP, NOW)

    assert result.status == 400
    error: dict[str, Any] = result.body["error"]
    assert error["code"] == "ERROR_PARAMETER_VALUE_MISSED"
    assert error["message"]
    assert "details" in error
    assert result.envelopes == []
