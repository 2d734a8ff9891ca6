"""Wildberries HTTP client: what it asks for, how the cursor travels on the wire, how replies go out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from otklik.adapters.marketplaces.wildberries import WildberriesConnector
from otklik.domain.ids import feedback_id
from otklik.domain.marketplaces.models import PermanentRejection, TransientError
from tests.unit.marketplaces.fakes import (
    NOW,
    CountingLimiter,
    FakeTransport,
    approved,
    connection,
    failed,
    no_content,
    ok,
)
from tests.unit.marketplaces.platform_items import wildberries_question, wildberries_review

BASE = "http://127.0.0.1:9101"
TOKEN = "wb-token-abc"


def page(stream: str, *items: dict) -> dict:
    return {
        "data": {"countUnanswered": len(items), "countArchive": 0, stream: list(items)},
        "error": False,
        "errorText": "",
        "additionalErrors": None,
    }


def connector(http: FakeTransport, limiter: CountingLimiter | None = None, page_size: int = 100):
    return WildberriesConnector(
        http, BASE, TOKEN, connection("wildberries", "shop-wb"), limiter or CountingLimiter(), page_size
    )


def test_the_first_poll_asks_for_everything_unanswered_oldest_first_with_the_token() -> None:
    http = FakeTransport(ok(page("feedbacks")))
    limiter = CountingLimiter()

    result = connector(http, limiter).poll("feedbacks", {}, NOW)

    (sent,) = http.sent
    assert (sent.method, sent.url) == ("GET", f"{BASE}/api/v1/feedbacks")
    assert sent.query == {"isAnswered": False, "take": 100, "skip": 0, "order": "dateAsc"}
    assert sent.headers["Authorization"] == TOKEN
    assert limiter.acquired == 1
    assert (result.envelopes, result.more) == ([], False)


def test_the_cursor_resumes_at_the_newest_second_read_passing_over_what_was_read_there() -> None:
    http = FakeTransport(
        ok(
            page(
                "feedbacks",
                wildberries_review("a1", "2026-11-21T10:00:00Z"),
                wildberries_review("a2", "2026-11-21T10:00:05.100Z"),
                wildberries_review("a3", "2026-11-21T10:00:05.900Z"),
            )
        ),
        # Read again from the boundary second: a3 still unanswered, a2 answered meanwhile (no longer listed)
        ok(
            page(
                "feedbacks",
                wildberries_review("a3", "2026-11-21T10:00:05.900Z"),
                wildberries_review("a4", "2026-11-21T10:00:07Z"),
            )
        ),
    )
    wb = connector(http, page_size=3)

    first = wb.poll("feedbacks", {}, NOW)
    second = wb.poll("feedbacks", first.cursor, NOW)

    boundary = int(datetime(2026, 11, 21, 10, 0, 5, tzinfo=UTC).timestamp())
    assert first.cursor == {"date_from": boundary, "skip": 0, "seen": ["a2", "a3"]}
    assert first.more is True  # a full page: another may be waiting
    assert http.sent[1].query["dateFrom"] == boundary
    assert http.sent[1].query["skip"] == 0  # by id, not by count: the list shrinks as items are answered
    assert [e.external_id for e in second.envelopes] == ["a4"]
    assert second.cursor == {"date_from": boundary + 2, "skip": 0, "seen": ["a4"]}
    assert second.more is False


def test_an_empty_page_leaves_the_cursor_where_it_was() -> None:
    http = FakeTransport(
        ok({"data": {"countUnanswered": 0, "countArchive": 5, "feedbacks": None}, "error": False})
    )

    result = connector(http).poll("feedbacks", {"date_from": 1795000000, "skip": 1}, NOW)

    assert result.cursor == {"date_from": 1795000000, "skip": 1, "seen": []}
    assert (result.envelopes, result.more) == ([], False)


def test_the_questions_stream_is_read_from_the_questions_list() -> None:
    http = FakeTransport(ok(page("questions", wildberries_question())))

    result = connector(http).poll("questions", {}, NOW)

    (envelope,) = result.envelopes
    assert http.sent[0].path == "/api/v1/questions"
    assert envelope.kind == "question"
    assert envelope.feedback_id == feedback_id("wildberries", "shop-wb", "question", "2ncBtX4B9I0UHoornoqG")


@pytest.mark.parametrize("status", [429, 500, 503, 0])
def test_rate_limits_server_errors_and_network_failures_are_transient(status: int) -> None:
    http = FakeTransport(failed(status, {"title": "too many requests"}, {"X-Ratelimit-Retry": "1"}))

    with pytest.raises(TransientError):
        connector(http).poll("feedbacks", {}, NOW)


def test_a_refused_token_is_permanent_and_carries_the_platforms_words() -> None:
    http = FakeTransport(
        failed(401, {"title": "unauthorized", "detail": "token problem; token is malformed"})
    )

    with pytest.raises(PermanentRejection) as refused:
        connector(http).poll("feedbacks", {}, NOW)

    assert refused.value.status == 401
    assert "token is malformed" in refused.value.reason


def test_an_unknown_stream_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no stream"):
        connector(FakeTransport()).poll("chats", {}, NOW)


def test_a_review_reply_is_posted_as_id_and_text() -> None:
    http = FakeTransport(no_content())
    limiter = CountingLimiter()

    published = connector(http, limiter).publish(approved("wildberries", "review", "YX52RZEBhH9mrcYdEJuD"))

    (sent,) = http.sent
    assert (sent.method, sent.path) == ("POST", "/api/v1/feedbacks/answer")
    assert sent.json_body == {
        "id": "YX52RZEBhH9mrcYdEJuD",
        "text": "Спасибо за отзыв! Замену отправим бесплатно.",
    }
    assert sent.headers["Authorization"] == TOKEN
    assert limiter.acquired == 1
    assert published.text == "Спасибо за отзыв! Замену отправим бесплатно."
    assert published.external_id == "YX52RZEBhH9mrcYdEJuD"


def test_a_question_answer_is_patched_with_state_wbru() -> None:
    http = FakeTransport(ok({"data": None, "error": False, "errorText": "", "additionalErrors": None}))

    connector(http).publish(
        approved("wildberries", "question", "n5um6IUBQOOSTxXoo0gV", text="Рост модели 176 см.")
    )

    (sent,) = http.sent
    assert (sent.method, sent.path) == ("PATCH", "/api/v1/questions")
    assert sent.json_body == {
        "id": "n5um6IUBQOOSTxXoo0gV",
        "answer": {"text": "Рост модели 176 см."},
        "state": "wbRu",
    }


@pytest.mark.parametrize("text", ["Ы", "Спасибо! " * 556])
def test_a_review_reply_outside_2_to_5000_characters_is_refused_without_sending(text: str) -> None:
    http = FakeTransport()

    with pytest.raises(PermanentRejection) as refused:
        connector(http).publish(approved("wildberries", "review", "YX52", text=text))

    assert http.sent == []
    assert "not sent" in refused.value.reason


def test_a_reply_of_exactly_5000_characters_is_sent_whole() -> None:
    http = FakeTransport(no_content())
    text = "Ж" * 5000

    published = connector(http).publish(approved("wildberries", "review", "YX52", text=text))

    assert http.sent[0].json_body["text"] == text
    assert published.text == text


def test_a_4xx_reply_is_permanent_with_the_error_text_and_a_5xx_is_transient() -> None:
    http = FakeTransport(
        failed(400, {"data": None, "error": True, "errorText": "Неверный формат ответа"}),
        failed(502),
    )
    wb = connector(http)

    with pytest.raises(PermanentRejection) as refused:
        wb.publish(approved("wildberries", "review", "YX52"))
    with pytest.raises(TransientError):
        wb.publish(approved("wildberries", "review", "YX52"))

    assert refused.value.status == 400
    assert "Неверный формат ответа" in refused.value.reason


def test_wildberries_takes_no_chat_replies_through_this_api() -> None:
    with pytest.raises(PermanentRejection, match="no replies to a chat"):
        connector(FakeTransport()).publish(approved("wildberries", "chat", "m-1"))
