"""Aggregate maths: which day counters one feedback item adds to, and how the ops API shows them."""

from __future__ import annotations

from datetime import timedelta

from otklik.domain.aggregates import CounterKey, new_feedback_update, summarize
from tests.unit.samples import RECEIVED_AT, feedback_item


def test_a_rated_item_counts_once_in_total_label_kind_and_rating_histogram() -> None:
    item = feedback_item(rating=4, label="positive", compound=0.5)

    update = new_feedback_update(item)

    assert update.increments == {
        "total": 1,
        "label_positive": 1,
        "kind_review": 1,
        "rating_4": 1,
        "rating_sum": 4,
        "rating_count": 1,
    }


def test_an_unrated_item_adds_no_rating_counters() -> None:
    item = feedback_item(kind="question", rating=None, label="neutral")

    update = new_feedback_update(item)

    assert update.increments == {"total": 1, "label_neutral": 1, "kind_question": 1}


def test_the_item_counts_for_all_feedback_and_for_its_source_on_its_day() -> None:
    item = feedback_item(source="wildberries")

    update = new_feedback_update(item)

    assert update.keys == (
        CounterKey("DAY#2026-11-22", "all"),
        CounterKey("DAY#2026-11-22", "source#wildberries"),
    )


def test_each_feedback_item_has_its_own_applied_marker() -> None:
    first = feedback_item(external_id="a-1")
    second = feedback_item(external_id="a-2")
    # The same item as a later stream batch carries it: read again an hour on, rescored
    again = feedback_item(external_id="a-1", received_at=RECEIVED_AT + timedelta(hours=1), compound=-0.2)

    # The marker is pinned: markers already stored must keep matching, or a redelivered batch counts twice
    assert new_feedback_update(first).applied_marker == "feedback_counted#fb_11f2988fe496ccf01eb05a26"
    assert new_feedback_update(again).applied_marker == new_feedback_update(first).applied_marker
    assert new_feedback_update(first).applied_marker != new_feedback_update(second).applied_marker


def test_summary_works_out_the_average_rating() -> None:
    counters = {
        "total": 4,
        "label_negative": 1,
        "label_positive": 2,
        "label_neutral": 1,
        "kind_review": 3,
        "kind_question": 1,
        "rating_5": 2,
        "rating_3": 1,
        "rating_sum": 13,
        "rating_count": 3,
    }

    summary = summarize(counters)

    assert summary == {
        "total": 4,
        "labels": {"negative": 1, "neutral": 1, "positive": 2},
        "kinds": {"question": 1, "review": 3},
        "ratings": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 2},
        "rating_sum": 13,
        "rating_count": 3,
        "rating_average": 4.333,
    }


def test_summary_of_an_empty_day_is_all_zeros_and_no_average() -> None:
    summary = summarize({})

    assert summary == {
        "total": 0,
        "labels": {"negative": 0, "neutral": 0, "positive": 0},
        "kinds": {},
        "ratings": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
        "rating_sum": 0,
        "rating_count": 0,
        "rating_average": None,
    }
