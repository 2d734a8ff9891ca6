"""The fake Wildberries feedbacks API speaks WB's paging, limits, error forms and answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from infra.fakes.server import SEED_EPOCH
from infra.fakes.wildberries import T_SHIRT, FakeWildberries
from tests.fakes.loopback import Reply, call

pytestmark = pytest.mark.integration

AUTH = {"Authorization": "wb-test-token"}


@pytest.fixture
def wb() -> Iterator[FakeWildberries]:
    with FakeWildberries() as fake:
        fake.no_rate_limit()  # tests that want throttling turn it on themselves
        yield fake


def feedbacks(wb: FakeWildberries, query: str) -> Reply:
    return call("GET", f"{wb.url}/api/v1/feedbacks?{query}", headers=AUTH)


def test_refuses_a_missing_or_wrong_token_with_401(wb: FakeWildberries) -> None:
    missing = call("GET", f"{wb.url}/api/v1/feedbacks?isAnswered=false&take=1&skip=0")
    wrong = call(
        "GET", f"{wb.url}/api/v1/feedbacks?isAnswered=false&take=1&skip=0", headers={"Authorization": "nope"}
    )

    assert missing.status == wrong.status == 401
    assert wrong.body["title"] == "unauthorized"
    assert wrong.header("Content-Type") == "application/problem+json"


def test_pages_unanswered_feedbacks_newest_first_with_skip_and_take(wb: FakeWildberries) -> None:
    ids = [wb.add_feedback(f"Отзыв номер {n}", rating=n % 5 + 1)["id"] for n in range(5)]
    wb.add_feedback("Уже отвеченный", answer="Спасибо!")

    first = feedbacks(wb, "isAnswered=false&take=2&skip=0")
    second = feedbacks(wb, "isAnswered=false&take=2&skip=2")
    last = feedbacks(wb, "isAnswered=false&take=2&skip=4")

    pages = [[item["id"] for item in page.body["data"]["feedbacks"]] for page in (first, second, last)]
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[0:1]]
    assert first.body["data"]["countUnanswered"] == 5
    assert first.body["data"]["countArchive"] == 1
    assert (first.body["error"], first.body["errorText"], first.body["additionalErrors"]) == (False, "", None)


def test_feedback_items_have_wb_fields(wb: FakeWildberries) -> None:
    wb.add_feedback(
        "Села после стирки", rating=2, cons="Садится", product=T_SHIRT, photos=1, matching_size="smaller"
    )

    item = feedbacks(wb, "isAnswered=false&take=1&skip=0").body["data"]["feedbacks"][0]

    assert item["productValuation"] == 2
    assert item["answer"] is None
    assert item["state"] == "none"
    assert item["productDetails"]["nmId"] == T_SHIRT.nm_id
    assert set(item["productDetails"]) == {
        "imtId",
        "nmId",
        "productName",
        "supplierArticle",
        "supplierName",
        "brandName",
        "size",
    }
    assert set(item["photoLinks"][0]) == {"fullSize", "miniSize"}
    assert item["matchingSize"] == "smaller"


def test_order_and_date_from_filter_by_creation_time(wb: FakeWildberries) -> None:
    old = wb.add_feedback("Старый", created_at=SEED_EPOCH)
    new = wb.add_feedback("Новый", created_at=SEED_EPOCH + timedelta(days=2))
    since = int((SEED_EPOCH + timedelta(days=1)).timestamp())

    ascending = feedbacks(wb, "isAnswered=false&take=10&skip=0&order=dateAsc").body["data"]["feedbacks"]
    recent = feedbacks(wb, f"isAnswered=false&take=10&skip=0&dateFrom={since}").body["data"]["feedbacks"]

    assert [item["id"] for item in ascending] == [old["id"], new["id"]]
    assert [item["id"] for item in recent] == [new["id"]]


@pytest.mark.parametrize(
    "query",
    [
        "take=10&skip=0",  # isAnswered is required
        "isAnswered=false&skip=0",  # take is required
        "isAnswered=false&take=10",  # skip is required
        "isAnswered=false&take=5001&skip=0",  # at most 5000 feedbacks per request
        "isAnswered=false&take=10&skip=0&order=ratingDesc",
        "isAnswered=maybe&take=10&skip=0",
    ],
)
def test_rejects_bad_list_parameters_with_wb_error_json(wb: FakeWildberries, query: str) -> None:
    reply = feedbacks(wb, query)

    assert reply.status == 400
    assert reply.body["error"] is True
    assert reply.body["errorText"]


def test_questions_take_plus_skip_may_not_exceed_ten_thousand(wb: FakeWildberries) -> None:
    within = call("GET", f"{wb.url}/api/v1/questions?isAnswered=false&take=10000&skip=0", headers=AUTH)
    beyond = call("GET", f"{wb.url}/api/v1/questions?isAnswered=false&take=9000&skip=1001", headers=AUTH)

    assert within.status == 200
    assert beyond.status == 400


def test_questions_list_in_wb_shape(wb: FakeWildberries) -> None:
    question = wb.add_question("Есть ли синтетика в составе?", product=T_SHIRT)

    reply = call("GET", f"{wb.url}/api/v1/questions?isAnswered=false&take=10&skip=0", headers=AUTH)

    listed = reply.body["data"]["questions"]
    assert [item["id"] for item in listed] == [question["id"]]
    assert listed[0]["state"] == "suppliersPortalSynch"
    assert {"text", "createdDate", "answer", "productDetails", "wasViewed", "isWarned"} <= set(listed[0])


def test_throttles_beyond_the_bucket_with_wb_rate_limit_headers(wb: FakeWildberries) -> None:
    wb.rate_limit(per_second=0.5, burst=2)

    statuses = [feedbacks(wb, "isAnswered=false&take=1&skip=0") for _ in range(3)]

    assert [reply.status for reply in statuses] == [200, 200, 429]
    limited = statuses[2]
    assert limited.header("X-Ratelimit-Retry") == "2"
    assert limited.header("X-Ratelimit-Limit") == "2"
    assert int(limited.header("X-Ratelimit-Reset") or 0) >= 2
    assert limited.body["title"] == "too many requests"
    assert statuses[0].header("X-Ratelimit-Remaining") == "1"


def test_is_rate_limited_like_wb_by_default() -> None:
    with FakeWildberries() as fake:
        replies = [
            call("GET", f"{fake.url}/api/v1/feedbacks?isAnswered=false&take=1&skip=0", headers=AUTH)
            for _ in range(12)
        ]

    assert replies[0].header("X-Ratelimit-Remaining") == "5"  # a burst of 6, one spent
    assert [reply.status for reply in replies[:6]] == [200] * 6
    limited = next(reply for reply in replies if reply.status == 429)
    assert limited.header("X-Ratelimit-Limit") == "6"


def test_fail_next_answers_5xx_then_serves_again(wb: FakeWildberries) -> None:
    wb.fail_next(503)

    failed = feedbacks(wb, "isAnswered=false&take=1&skip=0")
    served = feedbacks(wb, "isAnswered=false&take=1&skip=0")

    assert (failed.status, failed.body["error"]) == (503, True)
    assert served.status == 200


def test_answer_is_recorded_and_the_feedback_counts_as_answered(wb: FakeWildberries) -> None:
    feedback = wb.add_feedback("Чайник протекает", rating=1)

    reply = call(
        "POST",
        f"{wb.url}/api/v1/feedbacks/answer",
        headers=AUTH,
        json_body={"id": feedback["id"], "text": "Приносим извинения, заменим чайник."},
    )

    assert (reply.status, reply.body) == (204, None)
    assert wb.answers == [
        {
            "method": "POST",
            "path": "/api/v1/feedbacks/answer",
            "body": {"id": feedback["id"], "text": "Приносим извинения, заменим чайник."},
        }
    ]
    unanswered = feedbacks(wb, "isAnswered=false&take=10&skip=0").body["data"]
    answered = feedbacks(wb, "isAnswered=true&take=10&skip=0").body["data"]
    assert unanswered["feedbacks"] == []
    assert answered["feedbacks"][0]["answer"]["text"] == "Приносим извинения, заменим чайник."
    assert (answered["countUnanswered"], answered["countArchive"]) == (0, 1)


def test_answer_to_an_unknown_feedback_is_404_and_not_recorded(wb: FakeWildberries) -> None:
    reply = call(
        "POST", f"{wb.url}/api/v1/feedbacks/answer", headers=AUTH, json_body={"id": "nope", "text": "Ок"}
    )

    assert reply.status == 404
    assert reply.body["error"] is True
    assert wb.answers == []


def test_answer_to_an_unknown_feedback_can_be_accepted_as_wb_itself_does() -> None:
    with FakeWildberries(validate_answer_ids=False) as fake:
        reply = call(
            "POST", f"{fake.url}/api/v1/feedbacks/answer", headers=AUTH, json_body={"id": "x", "text": "Ок"}
        )

    assert reply.status == 204


@pytest.mark.parametrize("text", ["!", "я" * 5001])
def test_answer_text_must_be_2_to_5000_characters(wb: FakeWildberries, text: str) -> None:
    feedback = wb.add_feedback()

    reply = call(
        "POST",
        f"{wb.url}/api/v1/feedbacks/answer",
        headers=AUTH,
        json_body={"id": feedback["id"], "text": text},
    )

    assert reply.status == 400
    assert set(reply.body) == {"title", "detail", "requestId", "origin"}
    assert wb.answers == []


def test_answer_needs_a_json_content_type(wb: FakeWildberries) -> None:
    feedback = wb.add_feedback()

    reply = call(
        "POST",
        f"{wb.url}/api/v1/feedbacks/answer",
        headers={**AUTH, "Content-Type": "text/plain"},
        raw_body=f'{{"id": "{feedback["id"]}", "text": "Спасибо"}}'.encode(),
    )

    assert reply.status == 400


def test_question_answer_is_recorded_and_unknown_question_is_404(wb: FakeWildberries) -> None:
    question = wb.add_question("Есть ли гарантия?")
    body = {"id": question["id"], "answer": {"text": "Да, год."}, "state": "wbRu"}

    answered = call("PATCH", f"{wb.url}/api/v1/questions", headers=AUTH, json_body=body)
    unknown = call("PATCH", f"{wb.url}/api/v1/questions", headers=AUTH, json_body={**body, "id": "nope"})

    assert (answered.status, answered.body["error"]) == (200, False)
    assert unknown.status == 404
    assert wb.answers == [{"method": "PATCH", "path": "/api/v1/questions", "body": body}]
    listed = call("GET", f"{wb.url}/api/v1/questions?isAnswered=true&take=10&skip=0", headers=AUTH)
    assert listed.body["data"]["questions"][0]["answer"]["text"] == "Да, год."


def test_marking_a_question_viewed_is_not_an_answer(wb: FakeWildberries) -> None:
    question = wb.add_question()

    reply = call(
        "PATCH",
        f"{wb.url}/api/v1/questions",
        headers=AUTH,
        json_body={"id": question["id"], "wasViewed": True},
    )

    assert reply.status == 200
    assert wb.answers == []
    assert wb.question(question["id"])["wasViewed"] is True  # type: ignore[index]


def test_repeat_item_on_next_page_shifts_the_next_page_by_one(wb: FakeWildberries) -> None:
    for n in range(4):
        wb.add_feedback(f"Отзыв {n}")
    wb.repeat_item_on_next_page()

    first = feedbacks(wb, "isAnswered=false&take=2&skip=0").body["data"]["feedbacks"]
    second = feedbacks(wb, "isAnswered=false&take=2&skip=2").body["data"]["feedbacks"]

    assert second[0]["id"] == first[-1]["id"]
    assert len(second) == 2


def test_malformed_feedback_is_served_as_injected(wb: FakeWildberries) -> None:
    good = wb.add_feedback("Нормальный")
    broken = wb.add_malformed_feedback(text="Сломанный")

    listed = feedbacks(wb, "isAnswered=false&take=10&skip=0").body["data"]["feedbacks"]

    assert "id" not in broken
    assert [item.get("id") for item in listed] == [None, good["id"]]
    assert listed[0]["productValuation"] == "пять"


def test_cap_page_size_serves_fewer_items_than_asked(wb: FakeWildberries) -> None:
    for _ in range(3):
        wb.add_feedback()
    wb.cap_page_size(1)

    page = feedbacks(wb, "isAnswered=false&take=100&skip=0").body["data"]["feedbacks"]

    assert len(page) == 1


def test_sample_data_is_deterministic() -> None:
    with FakeWildberries(samples=True) as one, FakeWildberries(samples=True) as two:
        one.no_rate_limit()
        two.no_rate_limit()
        first = feedbacks(one, "isAnswered=false&take=100&skip=0").body["data"]
        second = feedbacks(two, "isAnswered=false&take=100&skip=0").body["data"]

    assert first == second
    assert {item["productValuation"] for item in first["feedbacks"]} >= {1, 5}


# ---------------------------------------------------------------- moderation of answers


def answer(wb: FakeWildberries, method: str, feedback_id: str, text: str) -> Reply:
    return call(
        method, f"{wb.url}/api/v1/feedbacks/answer", headers=AUTH, json_body={"id": feedback_id, "text": text}
    )


def served_answer(wb: FakeWildberries, feedback_id: str) -> dict[str, Any]:
    reply = call("GET", f"{wb.url}/api/v1/feedback?id={feedback_id}", headers=AUTH)
    assert reply.status == 200
    return dict(reply.body["data"]["answer"])


def test_an_answer_is_published_by_default_and_editable(wb: FakeWildberries) -> None:
    # Given a feedback with no knobs set
    feedback = wb.add_feedback("Чайник протекает", rating=1)
    # When the seller answers it
    answered = answer(wb, "POST", feedback["id"], "Заменим чайник.")
    # Then WB shows it (answer.state wbRu) and it may still be edited once
    assert answered.status == 204
    assert served_answer(wb, feedback["id"]) == {"text": "Заменим чайник.", "state": "wbRu", "editable": True}
    assert [(s["item_id"], s["state"]) for s in wb.reply_states] == [(feedback["id"], "published")]


def test_moderate_next_reply_holds_back_only_the_next_answer(wb: FakeWildberries) -> None:
    # Given two feedbacks and a rejection armed for the next reply
    first, second = wb.add_feedback("Первый"), wb.add_feedback("Второй")
    wb.moderate_next_reply("rejected", reason="ссылка на сторонний сайт")
    # When both are answered
    answer(wb, "POST", first["id"], "Подробности на нашем сайте.")
    answer(wb, "POST", second["id"], "Спасибо за отзыв!")
    # Then the first answer is rejected, with the reason kept for the test, and the second is shown
    assert served_answer(wb, first["id"])["state"] == "rejected"
    assert served_answer(wb, second["id"])["state"] == "wbRu"
    assert wb.reply_states[0]["reason"] == "ссылка на сторонний сайт"
    assert len(wb.answers) == 2


def test_replies_holding_a_banned_word_are_rejected_whatever_its_case(wb: FakeWildberries) -> None:
    # Given a banned word
    feedback = wb.add_feedback()
    wb.reject_replies_containing("телеграм", reason="контакты")
    # When an answer holds it in capitals
    answer(wb, "POST", feedback["id"], "Напишите нам в ТЕЛЕГРАМ.")
    # Then it is rejected
    assert served_answer(wb, feedback["id"])["state"] == "rejected"
    assert wb.reply_states[-1]["reason"] == "контакты"


def test_set_reply_state_moves_a_pending_answer_later(wb: FakeWildberries) -> None:
    # Given an answer held for review
    feedback = wb.add_feedback()
    wb.moderate_next_reply("pending")
    answer(wb, "POST", feedback["id"], "Спасибо!")
    assert served_answer(wb, feedback["id"])["state"] == "reviewRequired"
    # When WB's moderation lets it through
    wb.set_reply_state(feedback["id"], "published")
    # Then it is shown, and the log has both states
    assert served_answer(wb, feedback["id"])["state"] == "wbRu"
    assert [s["platform_state"] for s in wb.reply_states] == ["reviewRequired", "wbRu"]


def test_an_answer_can_be_edited_once_and_a_second_edit_gets_the_400_form(wb: FakeWildberries) -> None:
    # Given a rejected answer
    feedback = wb.add_feedback()
    wb.moderate_next_reply("rejected")
    answer(wb, "POST", feedback["id"], "Пишите на почту.")
    # When it is edited, and then edited again
    first = answer(wb, "PATCH", feedback["id"], "Спасибо за отзыв, разберёмся.")
    second = answer(wb, "PATCH", feedback["id"], "Третья версия.")
    # Then the first edit is shown and no longer editable; the second is refused in the standardized form
    assert first.status == 204
    assert served_answer(wb, feedback["id"]) == {
        "text": "Спасибо за отзыв, разберёмся.",
        "state": "wbRu",
        "editable": False,
    }
    assert second.status == 400
    assert set(second.body) == {"title", "detail", "requestId", "origin"}
    assert [a["method"] for a in wb.answers] == ["POST", "PATCH"]


def test_an_edit_passes_moderation_again(wb: FakeWildberries) -> None:
    # Given an answer, and a rejection armed for the next reply
    feedback = wb.add_feedback()
    answer(wb, "POST", feedback["id"], "Спасибо!")
    wb.moderate_next_reply("rejected")
    # When the answer is edited
    answer(wb, "PATCH", feedback["id"], "Спасибо ещё раз!")
    # Then the edit is the one rejected
    assert served_answer(wb, feedback["id"])["state"] == "rejected"


def test_a_question_answer_held_back_carries_answer_state(wb: FakeWildberries) -> None:
    # Given two questions and a pending verdict for the next reply
    held, shown = wb.add_question("Есть гарантия?"), wb.add_question("Есть размер M?")
    wb.moderate_next_reply("pending")
    # When both are answered
    for question in (held, shown):
        body = {"id": question["id"], "answer": {"text": "Да."}, "state": "wbRu"}
        call("PATCH", f"{wb.url}/api/v1/questions", headers=AUTH, json_body=body)
    # Then only the held one says so; a shown answer has no state, as WB serves it
    assert wb.question(held["id"])["answer"]["state"] == "reviewRequired"  # type: ignore[index]
    assert "state" not in wb.question(shown["id"])["answer"]  # type: ignore[index]


def test_an_answer_to_an_unknown_id_is_taken_but_nothing_is_shown() -> None:
    # Given WB's own leniency about ids
    with FakeWildberries(validate_answer_ids=False) as fake:
        fake.no_rate_limit()
        # When an answer goes to an id it does not know
        taken = answer(fake, "POST", "no-such-id", "Спасибо!")
        looked_up = call("GET", f"{fake.url}/api/v1/feedback?id=no-such-id", headers=AUTH)
    # Then it was accepted, and the feedback is still not found
    assert taken.status == 204
    assert looked_up.status == 404
    assert fake.reply_states == []


def test_set_reply_state_names_an_answered_item(wb: FakeWildberries) -> None:
    unanswered = wb.add_feedback()

    with pytest.raises(KeyError):
        wb.set_reply_state(unanswered["id"], "rejected")
    with pytest.raises(ValueError):
        wb.set_reply_state(unanswered["id"], "gone")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        wb.moderate_next_reply("published")  # type: ignore[arg-type]
