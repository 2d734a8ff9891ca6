"""The fake Ozon Seller API speaks Ozon's cursors, error form and answers, and sends Ozon's pushes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.fakes.ozon import BACKPACK, FakeOzon
from tests.fakes.loopback import Reply, call
from tests.support.loopback import JsonServer

pytestmark = pytest.mark.integration

AUTH = {"Client-Id": "123", "Api-Key": "ozon-test-key"}


@pytest.fixture
def ozon() -> Iterator[FakeOzon]:
    with FakeOzon() as fake:
        yield fake


def post(ozon: FakeOzon, path: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return call("POST", f"{ozon.url}{path}", headers=AUTH if headers is None else headers, json_body=body)


def test_missing_credentials_are_401_and_wrong_ones_403_in_ozon_error_form(ozon: FakeOzon) -> None:
    missing = post(ozon, "/v1/review/list", {"limit": 20}, headers={"Client-Id": "123"})
    wrong = post(ozon, "/v1/review/list", {"limit": 20}, headers={"Client-Id": "123", "Api-Key": "stolen"})

    assert (missing.status, missing.body["code"]) == (401, 16)
    assert (wrong.status, wrong.body["code"]) == (403, 7)
    assert set(wrong.body) == {"code", "message", "details"}


def test_review_list_pages_with_last_id_and_has_next(ozon: FakeOzon) -> None:
    ids = [ozon.add_review(f"Отзыв {n}", rating=n % 5 + 1)["id"] for n in range(5)]
    ozon.cap_page_size(2)

    seen: list[str] = []
    last_id, pages = "", 0
    while True:
        page = post(ozon, "/v1/review/list", {"limit": 20, "last_id": last_id, "sort_dir": "ASC"}).body
        seen += [review["id"] for review in page["reviews"]]
        pages += 1
        if not page["has_next"]:
            break
        last_id = page["last_id"]

    assert seen == ids
    assert pages == 3


def test_review_items_have_ozon_fields(ozon: FakeOzon) -> None:
    ozon.add_review("Сгорел на второй день", rating=1, photos=2)

    review = post(ozon, "/v1/review/list", {"limit": 20}).body["reviews"][0]

    assert set(review) == {
        "id",
        "sku",
        "text",
        "published_at",
        "rating",
        "status",
        "comments_amount",
        "photos_amount",
        "videos_amount",
        "order_status",
        "is_rating_participant",
    }
    assert (review["status"], review["photos_amount"]) == ("UNPROCESSED", 2)


@pytest.mark.parametrize("limit", [None, 19, 101, "20"])
def test_review_list_limit_must_be_20_to_100(ozon: FakeOzon, limit: Any) -> None:
    reply = post(ozon, "/v1/review/list", {} if limit is None else {"limit": limit})

    assert (reply.status, reply.body["code"]) == (400, 3)


def test_status_filter_and_a_cursor_that_survives_answering(ozon: FakeOzon) -> None:
    first, second, _third = (ozon.add_review(f"Отзыв {n}")["id"] for n in range(3))
    ozon.add_review("Уже обработан", processed=True)
    ozon.cap_page_size(1)
    body = {"limit": 20, "status": "UNPROCESSED", "sort_dir": "ASC"}

    page = post(ozon, "/v1/review/list", body).body
    post(
        ozon,
        "/v1/review/comment/create",
        {"review_id": first, "text": "Спасибо!", "mark_review_as_processed": True},
    )
    rest = post(ozon, "/v1/review/list", {**body, "last_id": page["last_id"]}).body

    assert [review["id"] for review in page["reviews"]] == [first]
    assert [review["id"] for review in rest["reviews"]] == [second]
    assert rest["has_next"] is True  # the third one is still to come


def test_comment_is_recorded_and_marks_the_review_processed(ozon: FakeOzon) -> None:
    review = ozon.add_review("Молния заедает", rating=2, product=BACKPACK)
    body = {
        "review_id": review["id"],
        "text": "Заменим рюкзак, напишите нам.",
        "mark_review_as_processed": True,
    }

    reply = post(ozon, "/v1/review/comment/create", body)

    assert reply.status == 200
    assert isinstance(reply.body["comment_id"], str)
    assert ozon.answers == [{"method": "POST", "path": "/v1/review/comment/create", "body": body}]
    assert ozon.review(review["id"]) == {**review, "status": "PROCESSED", "comments_amount": 1}


def test_comment_on_unknown_review_is_404(ozon: FakeOzon) -> None:
    reply = post(ozon, "/v1/review/comment/create", {"review_id": "nope", "text": "Спасибо"})

    assert (reply.status, reply.body["code"]) == (404, 5)
    assert ozon.answers == []


def test_question_list_filters_pages_and_has_ozon_fields(ozon: FakeOzon) -> None:
    new = ozon.add_question("Есть ли венчик?", author_name="Алексей")
    ozon.add_question("Какой объём?", status="PROCESSED", answers=1)
    viewed = ozon.add_question("Поместится ноутбук?", product=BACKPACK, status="VIEWED")
    ozon.cap_page_size(1)

    first = post(ozon, "/v1/question/list", {"filter": {"status": "UNPROCESSED"}, "sort_dir": "ASC"}).body
    second = post(
        ozon,
        "/v1/question/list",
        {"filter": {"status": "UNPROCESSED"}, "sort_dir": "ASC", "last_id": first["last_id"]},
    ).body

    assert [q["id"] for q in first["questions"]] == [new["id"]]
    assert [q["id"] for q in second["questions"]] == [viewed["id"]]
    assert (first["has_next"], second["has_next"]) == (True, False)
    assert {
        "id",
        "sku",
        "text",
        "published_at",
        "product_url",
        "status",
        "answers_count",
        "author_name",
    } <= set(first["questions"][0])


def test_question_answer_is_recorded_with_ozon_limits(ozon: FakeOzon) -> None:
    question = ozon.add_question("Есть ли гарантия?")
    good = {"question_id": question["id"], "sku": question["sku"], "text": "Да, гарантия 2 года."}

    answered = post(ozon, "/v1/question/answer/create", good)
    too_short = post(ozon, "/v1/question/answer/create", {**good, "text": "Д"})
    too_long = post(ozon, "/v1/question/answer/create", {**good, "text": "д" * 3001})
    unknown = post(ozon, "/v1/question/answer/create", {**good, "question_id": "nope"})

    assert answered.status == 200
    assert isinstance(answered.body["answer_id"], str)
    assert [too_short.status, too_long.status, unknown.status] == [400, 400, 404]
    assert ozon.answers == [{"method": "POST", "path": "/v1/question/answer/create", "body": good}]
    assert ozon.question(question["id"])["status"] == "PROCESSED"  # type: ignore[index]


def test_chat_message_is_recorded_and_unknown_chat_is_404(ozon: FakeOzon) -> None:
    chat_id = ozon.add_chat()

    sent = post(
        ozon, "/v1/chat/send/message", {"chat_id": chat_id, "text": "Здравствуйте! Заказ уже в пути."}
    )
    unknown = post(ozon, "/v1/chat/send/message", {"chat_id": "nope", "text": "Привет"})
    too_long = post(ozon, "/v1/chat/send/message", {"chat_id": chat_id, "text": "я" * 1001})

    assert (sent.status, sent.body) == (200, {"result": "success"})
    assert [unknown.status, too_long.status] == [404, 400]
    assert [message["text"] for message in ozon.chat_messages(chat_id)] == ["Здравствуйте! Заказ уже в пути."]
    assert len(ozon.answers) == 1


def test_fail_next_and_rate_limit_answers_in_ozon_form(ozon: FakeOzon) -> None:
    ozon.fail_next(503)
    ozon.rate_limit_next()

    failed = post(ozon, "/v1/review/list", {"limit": 20})
    limited = post(ozon, "/v1/review/list", {"limit": 20})
    served = post(ozon, "/v1/review/list", {"limit": 20})

    assert failed.status == 503
    assert (limited.status, limited.body["code"]) == (429, 8)
    assert served.status == 200


def test_repeat_and_malformed_reviews_are_visible(ozon: FakeOzon) -> None:
    for n in range(3):
        ozon.add_review(f"Отзыв {n}")
    broken = ozon.add_malformed_review(text="Без id")
    ozon.cap_page_size(2)
    ozon.repeat_item_on_next_page()

    first = post(ozon, "/v1/review/list", {"limit": 20, "sort_dir": "ASC"}).body
    second = post(ozon, "/v1/review/list", {"limit": 20, "sort_dir": "ASC", "last_id": first["last_id"]}).body

    assert second["reviews"][0]["id"] == first["reviews"][-1]["id"]
    assert "id" not in broken
    everything = post(ozon, "/v1/review/list", {"limit": 100}).body["reviews"]
    assert any("id" not in review and review["rating"] == "пять" for review in everything)


def test_push_builders_follow_ozon_push_format(ozon: FakeOzon) -> None:
    ping = ozon.ping_message()
    new = ozon.new_message(
        "b646d975-0c9c-4872-9f41-8b1e57181063", "3000000000817031942", "Где мой заказ?", "115568"
    )
    edited = ozon.update_message("b646d975-0c9c-4872-9f41-8b1e57181063", "3000000000817031942", "Где заказ?")
    other = ozon.other_message("TYPE_NEW_POSTING")

    assert set(ping) == {"message_type", "time"} and ping["message_type"] == "TYPE_PING"
    assert new == {
        "message_type": "TYPE_NEW_MESSAGE",
        "chat_id": "b646d975-0c9c-4872-9f41-8b1e57181063",
        "chat_type": "Buyer_Seller",
        "message_id": "3000000000817031942",
        "created_at": new["created_at"],
        "user": {"id": "115568", "type": "Customer"},
        "data": ["Где мой заказ?"],
        "seller_id": 123,
    }
    assert edited["message_type"] == "TYPE_UPDATE_MESSAGE" and "updated_at" in edited
    assert other["message_type"] == "TYPE_NEW_POSTING" and other["posting_number"]


def test_push_sender_reaches_a_local_endpoint_and_returns_its_answer(ozon: FakeOzon) -> None:
    pong = {"version": "1.0", "name": "otklik", "time": "2024-09-02T06:00:00Z"}
    with JsonServer(default=(200, pong)) as receiver:
        status, body = ozon.push(receiver.url("/webhooks/ozon"), ozon.ping_message())
        receiver.default = (400, {"error": {"code": "ERROR_UNKNOWN", "message": "bad", "details": None}})
        refused = ozon.push(receiver.url("/webhooks/ozon"), ozon.new_message("c1", "m1", "Привет"))

    assert (status, body["name"]) == (200, "otklik")
    assert refused[0] == 400
    assert [delivery.json()["message_type"] for delivery in receiver.seen] == [
        "TYPE_PING",
        "TYPE_NEW_MESSAGE",
    ]
    assert receiver.seen[0].path == "/webhooks/ozon"
    assert receiver.seen[1].headers["content-type"].startswith("application/json")


# ---------------------------------------------------------------- moderation of comments and answers


def comment(ozon: FakeOzon, review_id: str, text: str) -> str:
    reply = post(ozon, "/v1/review/comment/create", {"review_id": review_id, "text": text})
    assert reply.status == 200
    return str(reply.body["comment_id"])


def listed(ozon: FakeOzon, review_id: str) -> list[dict[str, Any]]:
    reply = post(ozon, "/v1/review/comment/list", {"review_id": review_id, "limit": 100, "offset": 0})
    assert reply.status == 200
    return list(reply.body["comments"])


def test_a_comment_is_listed_as_the_sellers_own(ozon: FakeOzon) -> None:
    # Given a review
    review = ozon.add_review("Блендер шумит", rating=3)
    # When the seller comments on it
    comment_id = comment(ozon, review["id"], "Спасибо, передадим производителю.")
    # Then the comment list shows it, in Ozon's fields
    [shown] = listed(ozon, review["id"])
    assert (shown["id"], shown["text"], shown["is_owner"], shown["is_official"]) == (
        comment_id,
        "Спасибо, передадим производителю.",
        True,
        True,
    )
    assert set(shown) == {"id", "text", "is_owner", "is_official", "parent_comment_id", "published_at"}


def test_a_rejected_or_pending_comment_is_not_listed_until_moved(ozon: FakeOzon) -> None:
    # Given a rejection for the next reply and a banned word
    review, other = ozon.add_review("Сломался"), ozon.add_review("Не работает")
    ozon.moderate_next_reply("pending")
    ozon.reject_replies_containing("WhatsApp", reason="контакты")
    # When both reviews get a comment
    comment(ozon, review["id"], "Разберёмся.")
    comment(ozon, other["id"], "Пишите в whatsapp.")
    # Then neither is listed, though the fake keeps both with their state
    assert listed(ozon, review["id"]) == listed(ozon, other["id"]) == []
    assert [c["state"] for c in ozon.review_comments(review["id"])] == ["pending"]
    assert [c["state"] for c in ozon.review_comments(other["id"])] == ["rejected"]
    # And once moderation lets the pending one through, it is listed
    ozon.set_reply_state(review["id"], "published")
    assert [c["text"] for c in listed(ozon, review["id"])] == ["Разберёмся."]
    assert [(s["state"], s["platform_state"]) for s in ozon.reply_states] == [
        ("pending", "not listed"),
        ("rejected", "not listed"),
        ("published", "listed"),
    ]


def test_a_deleted_comment_is_gone_and_deleting_it_again_is_404(ozon: FakeOzon) -> None:
    # Given a comment
    review = ozon.add_review()
    comment_id = comment(ozon, review["id"], "Спасибо!")
    # When it is deleted twice
    first = post(ozon, "/v1/review/comment/delete", {"comment_id": comment_id})
    second = post(ozon, "/v1/review/comment/delete", {"comment_id": comment_id})
    # Then it is gone after the first, and the second is Ozon's not-found
    assert first.status == 200
    assert (second.status, second.body["code"]) == (404, 5)
    assert listed(ozon, review["id"]) == ozon.review_comments(review["id"]) == []
    assert ozon.review(review["id"])["comments_amount"] == 0  # type: ignore[index]
    assert ozon.reply_states[-1]["state"] == "deleted"


def test_question_answers_are_listed_moderated_and_deleted(ozon: FakeOzon) -> None:
    # Given a question answered once, and a rejected second answer
    question = ozon.add_question("Есть гарантия?")
    create = {"question_id": question["id"], "sku": question["sku"]}
    shown = post(ozon, "/v1/question/answer/create", {**create, "text": "Да, год."}).body["answer_id"]
    ozon.moderate_next_reply("rejected")
    post(ozon, "/v1/question/answer/create", {**create, "text": "Два года."})
    # When the answers are listed, and the shown one is deleted
    before = post(ozon, "/v1/question/answer/list", {**create, "last_id": ""}).body
    deleted = post(ozon, "/v1/question/answer/delete", {"answer_id": shown, "sku": question["sku"]})
    after = post(ozon, "/v1/question/answer/list", {**create, "last_id": ""}).body
    # Then only the published answer was listed, and none after the delete
    assert [(a["id"], a["text"]) for a in before["answers"]] == [(shown, "Да, год.")]
    assert deleted.status == 200
    assert after == {"answers": [], "last_id": ""}
    assert [a["state"] for a in ozon.question_answers(question["id"])] == ["rejected"]
