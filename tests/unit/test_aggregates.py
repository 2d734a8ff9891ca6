"""Aggregate maths: the periods and dimensions a feedback item counts in, by how much, summed per batch,
spread over shards and read back whole; how the ops API shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otklik.domain.aggregates import (
    SHARDS,
    CounterKey,
    PeriodError,
    add_up,
    new_feedback_update,
    period_key,
    period_keys,
    period_range,
    shard_of,
    sum_batch,
    summarize,
)
from otklik.domain.models import ProductRef, SurveyAnswer, Topic
from tests.unit.samples import RECEIVED_AT, feedback_item


def _cell(item_update: object, period: str, dimension: str) -> dict[str, int]:
    counters = item_update.counters  # type: ignore[attr-defined]
    return dict(counters[CounterKey(period, dimension)])


def test_a_rated_item_counts_once_in_total_label_kind_and_rating_histogram() -> None:
    item = feedback_item(rating=4, label="positive", compound=0.5)

    update = new_feedback_update(item)

    assert _cell(update, "DAY#2026-11-22", "all") == {
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

    assert _cell(update, "DAY#2026-11-22", "all") == {"total": 1, "label_neutral": 1, "kind_question": 1}


def test_the_item_counts_in_its_day_week_and_month_for_every_dimension_it_has() -> None:
    # Given a Wildberries review of a product, about quality (negative) and delivery (positive)
    item = feedback_item(source="wildberries", rating=2).model_copy(
        update={
            "product": ProductRef(id="12345"),
            "topics": (
                Topic(topic="quality", polarity="negative", evidence="порвалось", start=0, end=9),
                Topic(topic="delivery", polarity="positive", evidence="быстро", start=10, end=16),
                Topic(topic="quality", polarity="negative", evidence="шов", start=20, end=23),
            ),
        }
    )

    update = new_feedback_update(item)

    dimensions = [
        "all",
        "source#wildberries",
        "account#wildberries#default",
        "product#wildberries#12345",
        "topic#quality",
        "topic#delivery",
        "topic#quality#negative",
        "topic#delivery#positive",
        # the product's complaints by topic (negative only): what spike alerts watch
        "product#wildberries#12345#topic#quality#negative",
    ]
    # 2026-11-22 is a Sunday: ISO week 47 of 2026
    periods = ["DAY#2026-11-22", "WEEK#2026-W47", "MONTH#2026-11"]
    assert set(update.keys) == {CounterKey(p, d) for p in periods for d in dimensions}
    # And a topic named twice counts the item once
    assert _cell(update, "MONTH#2026-11", "topic#quality#negative")["total"] == 1


def test_a_backfilled_item_counts_on_its_own_day_and_arrives_on_today() -> None:
    item = feedback_item(source="ozon")

    update = new_feedback_update(item, arrived_day="2026-12-01")

    assert _cell(update, "DAY#2026-11-22", "all")["total"] == 1
    assert "arrived" not in _cell(update, "DAY#2026-11-22", "all")
    assert _cell(update, "DAY#2026-12-01", "all") == {"arrived": 1}
    assert _cell(update, "DAY#2026-12-01", "source#ozon") == {"arrived": 1}
    assert CounterKey("DAY#2026-12-01", "topic#quality") not in update.counters


def test_an_item_that_arrives_on_its_own_day_counts_and_arrives_in_the_same_cell() -> None:
    update = new_feedback_update(feedback_item(), arrived_day="2026-11-22")

    assert _cell(update, "DAY#2026-11-22", "all")["arrived"] == 1
    assert _cell(update, "DAY#2026-11-22", "all")["total"] == 1


@pytest.mark.parametrize(
    ("score", "group"),
    [(10, "promoters"), (9, "promoters"), (8, "passives"), (7, "passives"), (6, "detractors")],
)
def test_an_nps_answer_counts_in_its_group(score: int, group: str) -> None:
    item = feedback_item(kind="survey").model_copy(update={"survey": SurveyAnswer(scale="nps", score=score)})

    cell = _cell(new_feedback_update(item), "DAY#2026-11-22", "all")

    assert cell[f"nps_{group}"] == 1 and cell["nps_count"] == 1


def test_a_csat_answer_counts_its_score_and_sum() -> None:
    item = feedback_item(kind="survey").model_copy(update={"survey": SurveyAnswer(scale="csat", score=4)})

    cell = _cell(new_feedback_update(item), "DAY#2026-11-22", "all")

    assert (cell["csat_4"], cell["csat_sum"], cell["csat_count"]) == (1, 4, 1)


def test_a_survey_score_off_its_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="from 1 to 5"):
        SurveyAnswer(scale="csat", score=6)
    with pytest.raises(ValueError, match="from 0 to 10"):
        SurveyAnswer(scale="nps", score=11)


def test_each_feedback_item_has_its_own_applied_marker() -> None:
    first = feedback_item(external_id="a-1")
    second = feedback_item(external_id="a-2")
    # The same item as a later stream batch carries it: read again an hour on, rescored
    again = feedback_item(external_id="a-1", received_at=RECEIVED_AT + timedelta(hours=1), compound=-0.2)

    # The marker is pinned: markers already stored must keep matching, or a redelivered batch counts twice
    assert new_feedback_update(first).applied_marker == "feedback_counted#fb_11f2988fe496ccf01eb05a26"
    assert new_feedback_update(again).applied_marker == new_feedback_update(first).applied_marker
    assert new_feedback_update(first).applied_marker != new_feedback_update(second).applied_marker


def test_a_batch_is_summed_per_counter() -> None:
    items = [feedback_item(external_id=f"b-{n}", rating=n % 5 + 1) for n in range(10)]

    summed = sum_batch(new_feedback_update(item) for item in items)

    all_day = summed[CounterKey("DAY#2026-11-22", "all")]
    assert all_day["total"] == 10 and all_day["rating_count"] == 10
    assert all_day["rating_sum"] == sum(n % 5 + 1 for n in range(10))


@given(
    st.lists(st.tuples(st.sampled_from(["wildberries", "ozon", "custom"]), st.integers(1, 5)), max_size=30),
    st.integers(1, 29),
)
def test_summed_and_sharded_batches_read_back_as_the_recount_of_their_items(
    items: list[tuple[str, int]], cut: int
) -> None:
    # Given items counted in two batches (each summed and written under its own shard)
    updates = [
        new_feedback_update(feedback_item(source=source, rating=stars, external_id=f"h-{n}"))
        for n, (source, stars) in enumerate(items)
    ]
    stored: dict[str, dict[str, int]] = {}
    for batch in (updates[:cut], updates[cut:]):
        if not batch:
            continue
        for key, increments in sum_batch(batch).items():
            if key.period != "DAY#2026-11-22":
                continue
            cell = stored.setdefault(shard_of(key, batch[0].applied_marker).dimension, {})
            for name, amount in increments.items():
                cell[name] = cell.get(name, 0) + amount

    # When the period is read, shards added up
    read = add_up(stored)

    # Then every dimension is the recount of its items
    recount = sum_batch(updates)
    expected = {key.dimension: cell for key, cell in recount.items() if key.period == "DAY#2026-11-22"}
    assert read == expected


def test_only_the_hot_counters_are_spread_over_shards() -> None:
    salts = [f"feedback_counted#fb_{n}" for n in range(200)]

    shards = {shard_of(CounterKey("DAY#2026-11-22", "all"), salt).dimension for salt in salts}

    assert shards == {f"all~{n}" for n in range(SHARDS)}
    assert shard_of(CounterKey("DAY#2026-11-22", "source#ozon"), "x").dimension.startswith("source#ozon~")
    assert shard_of(CounterKey("DAY#2026-11-22", "product#ozon#1"), "x").dimension == "product#ozon#1"


def test_periods_name_the_day_its_iso_week_and_its_month() -> None:
    # 2027-01-01 is a Friday of ISO week 53 of 2026
    assert period_keys("2027-01-01") == ("DAY#2027-01-01", "WEEK#2026-W53", "MONTH#2027-01")


def test_a_period_key_is_checked_and_a_range_runs_forwards_and_is_bounded() -> None:
    assert period_key("week", "2026-W48") == "WEEK#2026-W48"
    assert period_range(period_key("month", "2026-11"), period_key("month", "2027-01")) == [
        "MONTH#2026-11",
        "MONTH#2026-12",
        "MONTH#2027-01",
    ]
    assert period_range("WEEK#2026-W52", "WEEK#2027-W01") == [
        "WEEK#2026-W52",
        "WEEK#2026-W53",
        "WEEK#2027-W01",
    ]
    with pytest.raises(PeriodError, match="2026-W48"):
        period_key("week", "2026-48")
    with pytest.raises(PeriodError, match="period must be one of"):
        period_key("year", "2026")
    with pytest.raises(PeriodError, match="before"):
        period_range("DAY#2026-11-22", "DAY#2026-11-01")
    with pytest.raises(PeriodError, match="at most"):
        period_range("DAY#2020-01-01", "DAY#2026-01-01")


def test_summary_works_out_the_average_rating_nps_and_csat() -> None:
    counters = {
        "total": 4,
        "arrived": 3,
        "label_negative": 1,
        "label_positive": 2,
        "label_neutral": 1,
        "kind_review": 3,
        "kind_question": 1,
        "rating_5": 2,
        "rating_3": 1,
        "rating_sum": 13,
        "rating_count": 3,
        "nps_promoters": 3,
        "nps_passives": 1,
        "nps_detractors": 1,
        "nps_count": 5,
        "csat_5": 1,
        "csat_2": 1,
        "csat_sum": 7,
        "csat_count": 2,
    }

    summary = summarize(counters)

    assert summary["rating_average"] == 4.333 and summary["arrived"] == 3
    assert summary["nps"] == {"promoters": 3, "passives": 1, "detractors": 1, "count": 5, "score": 40.0}
    assert summary["csat"] == {
        "scores": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
        "count": 2,
        "satisfied_share": 0.5,
    }
    assert summary["labels"] == {"negative": 1, "neutral": 1, "positive": 2}
    assert summary["kinds"] == {"question": 1, "review": 3}


def test_summary_of_an_empty_period_is_all_zeros_and_no_averages() -> None:
    summary = summarize({})

    assert summary["total"] == 0 and summary["rating_average"] is None
    assert summary["nps"]["score"] is None and summary["csat"]["satisfied_share"] is None
