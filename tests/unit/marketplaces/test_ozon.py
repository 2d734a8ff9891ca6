"""Ozon HTTP client: what it asks for and with which headers, how failures read, how replies go out."""

from __future__ import annotations

import pytest

from otklik.adapters.marketplaces.ozon import OzonConnector
from otklik.domain.marketplaces.models import PermanentRejection, TransientError
from otklik.domain.models import FeedbackKind
from tests.unit.marketplaces.fakes import NOW, FakeTransport, approved, connection, failed, ok
from tests.unit.marketplaces.platform_items import ozon_question, ozon_review

BASE = "http://127.0.0.1:9102"
SHOP = connection("ozon", "shop-ozon")


def connector(http: FakeTransport) -> OzonConnector:
    return OzonConnector(http, BASE, "123456", "ozon-api-key", SHOP)


def test_reviews_are_asked_unprocessed_ascending_from_the_cursor_with_the_seller_headers() -> None:
    http = FakeTransport(ok({"reviews": [ozon_review("r-2")], "has_next": True, "last_id": "r-2"}))

    result = connector(http).poll("reviews", {"last_id": "r-1"}, NOW)

    (sent,) = http.sent
    assert (sent.method, sent.url) == ("POST", f"{BASE}/v1/review/list")
    assert sent.json_body == {"limit": 100, "last_id": "r-1", "sort_dir": "ASC", "status": "UNPROCESSED"}
    assert sent.headers == {"Client-Id": "123456", "Api-Key": "ozon-api-key"}
    assert result.cursor == {"last_id": "r-2"}
    assert result.more is True


def test_questions_are_asked_unprocessed_ascending_and_resume_after_the_last_one() -> None:
    http = FakeTransport(ok({"questions": [ozon_question()], "last_id": "019294ff", "has_next": False}))

    result = connector(http).poll("questions", {}, NOW)

    assert http.sent[0].path == "/v1/question/list"
    assert http.sent[0].json_body == {
        "filter": {"status": "UNPROCESSED"},
        "limit": 100,
        "last_id": "",
        "sort_dir": "ASC",
    }
    assert [e.kind for e in result.envelopes] == ["question"]
    assert result.cursor == {"last_id": "019294ff"}


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
