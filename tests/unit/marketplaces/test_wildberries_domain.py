"""Wildberries platform facts: reviews and questions read as feedback, bad items named, the cursor moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.domain.ids import feedback_id
from otklik.domain.marketplaces.wildberries import WildberriesCursor, feedback_envelope, poll_page
from otklik.domain.models import Author, ProductRef
from tests.unit.marketplaces.fakes import NOW
from tests.unit.marketplaces.platform_items import wildberries_question, wildberries_review

BOUNDARY = int(datetime(2026, 11, 21, 10, 0, 5, tzinfo=UTC).timestamp())


def test_an_unanswered_review_is_mapped_with_its_text_stars_product_author_and_photos() -> None:
    envelope = feedback_envelope("review", wildberries_review(), "shop-wb", NOW)

    assert envelope.feedback_id == feedback_id("wildberries", "shop-wb", "review", "YX52RZEBhH9mrcYdEJuD")
    assert (envelope.source, envelope.account, envelope.kind) == ("wildberries", "shop-wb", "review")
    assert envelope.text == "Ткань тонкая, после первой стирки села на размер"
    assert (envelope.pros, envelope.cons, envelope.rating) == ("Красивый цвет", "Маломерит", 2)
    assert envelope.product == ProductRef(id="987654321", name="Футболка-поло мужская", sku="DP02/черный")
    assert envelope.author == Author(name="Николай")
    assert envelope.photos == ("https://feedback04.wbbasket.ru/vol1333/part133337/1/photos/fs.jpg",)
    assert envelope.answered is False
    assert envelope.created_at == datetime(2026, 11, 21, 7, 20, 48, tzinfo=UTC)
    assert envelope.received_at == NOW


def test_a_review_with_the_sellers_answer_is_marked_answered() -> None:
    item = wildberries_review(answer={"text": "Спасибо, что написали!", "state": "wbRu"})

    envelope = feedback_envelope("review", item, "shop-wb", NOW)

    assert envelope.answered is True


def test_a_question_is_mapped_with_its_text_and_product_and_no_stars() -> None:
    envelope = feedback_envelope("question", wildberries_question(), "shop-wb", NOW)

    assert envelope.kind == "question"
    assert envelope.feedback_id == feedback_id("wildberries", "shop-wb", "question", "2ncBtX4B9I0UHoornoqG")
    assert envelope.text == "Подскажите, какой рост у модели на фото?"
    assert envelope.product == ProductRef(id="14917842", name="Платье летнее")
    assert envelope.rating is None


def test_a_review_read_again_later_keeps_its_feedback_id() -> None:
    first = feedback_envelope("review", wildberries_review("same-1"), "shop-wb", NOW)
    again = feedback_envelope("review", wildberries_review("same-1"), "shop-wb", NOW + timedelta(hours=1))

    assert again.received_at != first.received_at
    assert again.feedback_id == first.feedback_id


def test_an_item_that_cannot_be_mapped_is_reported_and_the_rest_of_the_page_goes_on() -> None:
    items = [
        wildberries_review("good-1", "2026-11-21T10:00:00Z"),
        wildberries_review("bad-stars", "2026-11-21T10:00:01Z", productValuation=7),
        {"text": "без id", "createdDate": "2026-11-21T10:00:02Z"},
        wildberries_review("bad-date", "вчера"),
        wildberries_review("good-2", "2026-11-21T10:00:03Z"),
    ]

    result = poll_page("review", items, WildberriesCursor(), 100, "shop-wb", NOW)

    assert [e.external_id for e in result.envelopes] == ["good-1", "good-2"]
    labels = [label for label, _ in result.malformed]
    assert labels == ["bad-stars", "position 2", "bad-date"]
    reasons = dict(result.malformed)
    assert "productValuation" in reasons["bad-stars"]
    assert "createdDate" in reasons["bad-date"]
    assert result.cursor["date_from"] == int(datetime(2026, 11, 21, 10, 0, 3, tzinfo=UTC).timestamp())


def test_the_cursor_moves_to_the_newest_second_and_skips_what_was_read_there() -> None:
    items = [
        wildberries_review("a1", "2026-11-21T10:00:00Z"),
        wildberries_review("a2", "2026-11-21T10:00:05.100Z"),
        wildberries_review("a3", "2026-11-21T10:00:05.900Z"),
    ]

    result = poll_page("review", items, WildberriesCursor(), 3, "shop-wb", NOW)

    assert result.cursor == {"date_from": BOUNDARY, "skip": 0, "seen": ["a2", "a3"]}
    assert result.more is True  # a full page: another may be waiting


def test_a_page_entirely_in_the_boundary_second_adds_to_the_skip_instead_of_looping() -> None:
    items = [
        wildberries_review("b3", "2026-11-21T10:00:05.3Z"),
        wildberries_review("b4", "2026-11-21T10:00:05.4Z"),
    ]

    result = poll_page("review", items, WildberriesCursor(BOUNDARY, 2, ("b1", "b2")), 2, "shop-wb", NOW)

    assert result.cursor == {"date_from": BOUNDARY, "skip": 4, "seen": ["b1", "b2", "b3", "b4"]}
    assert result.more is True


def test_an_item_answered_at_the_boundary_second_does_not_hide_the_next_new_one() -> None:
    # Given a cursor at the second of a review read and answered since (no longer in the unanswered list)
    answered_at_boundary = WildberriesCursor(BOUNDARY, 0, ("a3",))
    items = [wildberries_review("a4", "2026-11-21T10:00:09Z")]

    # When the next poll reads the list from that second
    result = poll_page("review", items, answered_at_boundary, 10, "shop-wb", NOW)

    # Then the new review is read: the boundary's items are passed over by id, not by count
    assert [envelope.external_id for envelope in result.envelopes] == ["a4"]


def test_an_item_still_listed_at_the_boundary_second_is_not_read_twice() -> None:
    # Given a cursor at the second of a review read before and still unanswered
    items = [
        wildberries_review("a3", "2026-11-21T10:00:05.900Z"),
        wildberries_review("a4", "2026-11-21T10:00:09Z"),
    ]

    # When the list is read from that second again
    result = poll_page("review", items, WildberriesCursor(BOUNDARY, 0, ("a3",)), 10, "shop-wb", NOW)

    # Then only the new one is queued
    assert [envelope.external_id for envelope in result.envelopes] == ["a4"]


def test_a_short_page_says_nothing_more_is_waiting() -> None:
    result = poll_page("review", [wildberries_review()], WildberriesCursor(), 100, "shop-wb", NOW)

    assert result.more is False


@pytest.mark.parametrize(
    ("stored", "field"),
    [
        ({"date_from": "2026-11-21"}, "date_from"),
        ({"skip": -1}, "skip"),
        ({"skip": True}, "skip"),
        ({"seen": "a1"}, "seen"),
        ({"seen": [1]}, "seen"),
    ],
)
def test_a_damaged_stored_cursor_is_refused_naming_the_field(stored: dict, field: str) -> None:
    with pytest.raises(ValueError, match=f"bad {field}"):
        WildberriesCursor.load(stored)
