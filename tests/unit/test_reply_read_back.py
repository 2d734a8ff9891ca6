"""What each platform's answer says of a reply we published: the pure read-back mappings."""

from __future__ import annotations

from typing import Any

import pytest

from otklik.domain.marketplaces.models import ReplyReadBack, find_reply
from otklik.domain.marketplaces.ozon import listed_read_back
from otklik.domain.marketplaces.wildberries import answer_read_back
from otklik.domain.marketplaces.yandex_market import comment_read_back, shop_comment

TEXT = "Спасибо за отзыв! Замену отправим бесплатно."

# ---------------------------------------------------------------- Wildberries: answer.state


@pytest.mark.parametrize(
    ("state", "visibility", "reason"),
    [
        ("wbRu", "published", None),
        ("none", "published", None),
        ("reviewRequired", "pending", "Wildberries answer.state reviewRequired"),
        ("rejected", "rejected", "Wildberries answer.state rejected"),
    ],
)
def test_wb_answer_state_says_whether_buyers_see_the_answer(
    state: str, visibility: str, reason: str | None
) -> None:
    # Given a feedback whose answer carries a state
    item = {"id": "a1", "answer": {"text": TEXT, "state": state, "editable": True}}
    # When it is read back
    read = answer_read_back(item)
    # Then the state maps to what buyers see, with our words for why where it is not shown
    assert read == ReplyReadBack(visibility, reason, TEXT, None, True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "item",
    [None, {"id": "a1", "answer": None}, {"id": "a1", "answer": {"text": "  ", "state": "wbRu"}}, "oops"],
)
def test_wb_no_item_or_no_answer_text_is_missing(item: Any) -> None:
    # Given WB's 404 (no item), an item without an answer, or an answer without text
    # When it is read back / Then the reply is not shown at all
    assert answer_read_back(item) == ReplyReadBack("missing")


def test_wb_question_answer_without_a_state_is_shown() -> None:
    # Given a question's answer as WB serves it: text, editable, createDate, no state
    item = {
        "id": "q1",
        "answer": {"text": "Да, год.", "editable": False, "createDate": "2026-11-22T09:00:00"},
    }
    # When it is read back / Then buyers see it, and it may not be edited
    assert answer_read_back(item) == ReplyReadBack("published", text="Да, год.", can_edit=False)


def test_wb_unknown_answer_state_is_taken_as_pending_and_named() -> None:
    read = answer_read_back({"answer": {"text": TEXT, "state": "archived"}})

    assert read.state == "pending"
    assert read.reason is not None and "'archived'" in read.reason


# ---------------------------------------------------------------- Yandex Market: comment status


def ym_comment(
    number: int, text: str, status: str = "PUBLISHED", *, author: str = "BUSINESS", **more: Any
) -> dict[str, Any]:
    return {
        "id": number,
        "text": text,
        "canModify": True,
        "author": {"type": author, "name": "Магазин"},
        "status": status,
        "feedbackId": 48590001,
        **more,
    }


@pytest.mark.parametrize(
    ("status", "visibility"),
    [("PUBLISHED", "published"), ("UNMODERATED", "pending"), ("BANNED", "rejected"), ("DELETED", "missing")],
)
def test_ym_comment_status_says_whether_buyers_see_the_comment(status: str, visibility: str) -> None:
    # Given our comment among a review's comments
    comments = [ym_comment(91000001, TEXT, status)]
    # When it is read back by its id
    read = comment_read_back(comments, "91000001", TEXT)
    # Then its status maps to what buyers see, and its id and canModify come along
    assert (read.state, read.platform_answer_id, read.can_edit, read.text) == (
        visibility,
        "91000001",
        True,
        TEXT,
    )
    assert read.reason == (None if status == "PUBLISHED" else f"Yandex Market comment status {status}")


def test_ym_comment_is_found_by_the_shops_text_when_its_id_is_not_known() -> None:
    # Given a buyer's comment with our text and the shop's banned comment
    comments = [
        ym_comment(1, TEXT, author="USER"),
        ym_comment(2, TEXT, "BANNED", canModify=False),
    ]
    # When it is read back without an id
    read = comment_read_back(comments, None, f"  {TEXT} ")
    # Then the shop's comment is the one read
    assert (read.state, read.platform_answer_id, read.can_edit) == ("rejected", "2", False)


def test_ym_no_comment_of_ours_is_missing() -> None:
    comments = [ym_comment(1, "Другой текст"), ym_comment(2, TEXT, author="USER")]

    assert comment_read_back(comments, "99", TEXT) == ReplyReadBack("missing")


def test_ym_shop_comment_without_text_takes_the_shops_latest_top_level_comment() -> None:
    comments = [
        ym_comment(1, "Первый"),
        ym_comment(2, "Ответ покупателю", parentId=77),
        ym_comment(3, "Второй"),
    ]

    assert shop_comment(comments, None) == comments[2]
    assert shop_comment(comments, "2") == comments[1]  # an id names its comment wherever it sits


# ---------------------------------------------------------------- Ozon: listed or not


def test_ozon_a_listed_comment_is_published() -> None:
    # Given our comment in the review's comment list
    comments = [{"id": "c-1", "text": TEXT, "is_owner": True, "is_official": True}]
    # When it is read back / Then it is published; Ozon edits nothing, so nothing is said of editing
    assert listed_read_back(comments, "c-1", TEXT) == ReplyReadBack(
        "published", text=TEXT, platform_answer_id="c-1"
    )


def test_ozon_a_comment_not_listed_is_missing_without_a_reason() -> None:
    # Given a list with only a buyer's comment holding our words
    comments = [{"id": "c-2", "text": TEXT, "is_owner": False}]
    # When our comment is read back / Then Ozon says nothing of why it is not shown
    assert listed_read_back(comments, "c-1", TEXT) == ReplyReadBack("missing")


def test_ozon_a_question_answer_is_found_by_its_text() -> None:
    answers = [{"id": "a-9", "text": "Да, год.", "author_name": "Продавец", "sku": 1}]

    assert listed_read_back(answers, None, "Да, год.").platform_answer_id == "a-9"


def test_find_reply_passes_over_entries_that_are_not_objects() -> None:
    entries: list[Any] = ["junk", None, {"id": 5, "text": TEXT}]

    assert find_reply(entries, "5", None, lambda _: False) == {"id": 5, "text": TEXT}
    assert find_reply(entries, None, TEXT, lambda _: True) == {"id": 5, "text": TEXT}
    assert find_reply(entries, None, TEXT, lambda _: False) is None
