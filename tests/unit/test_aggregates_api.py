"""GET /aggregates' periods, dimensions and ranges, as ops.get_aggregates answers them."""

from __future__ import annotations

from typing import Any

import pytest

from otklik.domain.errors import InvalidRequest
from otklik.usecases.ops import get_aggregates


class Periods:
    """AggregateQueries over a dict of period -> dimension -> counters; the periods read, in order."""

    def __init__(self, held: dict[str, dict[str, dict[str, int]]]) -> None:
        self.held = held
        self.read: list[str] = []

    def period(self, period: str) -> dict[str, dict[str, int]]:
        self.read.append(period)
        return self.held.get(period, {})


HELD = {
    "WEEK#2026-W48": {
        "all": {"total": 5, "label_negative": 3},
        "product#wildberries#12345": {"total": 4, "label_negative": 3},
        "product#ozon#777": {"total": 1},
        "product#wildberries#12345#topic#quality#negative": {"total": 3},
        "topic#quality": {"total": 3},
        "topic#quality#negative": {"total": 3, "label_negative": 3},
        "source#wildberries": {"total": 4},
    },
    "DAY#2026-11-23": {"all": {"total": 2}},
    "DAY#2026-11-25": {"all": {"total": 7, "arrived": 9}},
}


def test_one_period_of_one_dimension_lists_its_values_biggest_first() -> None:
    answer: dict[str, Any] = get_aggregates(
        Periods(HELD), {"period": "week", "key": "2026-W48", "dimension": "product"}
    )

    assert (answer["period"], answer["key"], answer["dimension"]) == ("week", "2026-W48", "product")
    assert list(answer["values"]) == ["wildberries#12345", "ozon#777"]
    assert answer["values"]["wildberries#12345"]["labels"]["negative"] == 3


def test_topics_and_topics_by_polarity_are_separate_dimensions() -> None:
    store = Periods(HELD)

    topics = get_aggregates(store, {"period": "week", "key": "2026-W48", "dimension": "topic"})["values"]
    polar = get_aggregates(store, {"period": "week", "key": "2026-W48", "dimension": "topic_polarity"})[
        "values"
    ]

    assert list(topics) == ["quality"] and list(polar) == ["quality#negative"]
    by_product = get_aggregates(store, {"period": "week", "key": "2026-W48", "dimension": "product_topic"})
    assert list(by_product["values"]) == ["wildberries#12345#topic#quality#negative"]


def test_a_range_gives_every_period_in_it_for_a_chart_empty_ones_included() -> None:
    store = Periods(HELD)

    answer = get_aggregates(store, {"period": "day", "from": "2026-11-23", "to": "2026-11-25"})

    assert [point["key"] for point in answer["series"]] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert [point["values"]["all"]["total"] for point in answer["series"]] == [2, 0, 7]
    assert answer["series"][2]["values"]["all"]["arrived"] == 9
    assert store.read == ["DAY#2026-11-23", "DAY#2026-11-24", "DAY#2026-11-25"]


def test_the_day_form_still_answers_the_day_overall_and_per_source() -> None:
    answer = get_aggregates(Periods(HELD), {"day": "2026-11-25"})

    assert answer["day"] == "2026-11-25" and answer["all"]["total"] == 7 and answer["sources"] == {}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"period": "week", "key": "2026-48"}, "2026-W48"),
        ({"period": "year", "key": "2026"}, "period must be one of"),
        ({"period": "day", "key": "2026-11-22", "dimension": "colour"}, "dimension must be one of"),
        ({"period": "day"}, "key="),
        ({"period": "day", "key": "2026-11-22", "from": "2026-11-01"}, "not both"),
        ({"period": "day", "from": "2026-11-22", "to": "2026-11-01"}, "before"),
        ({"period": "day", "from": "2020-01-01", "to": "2026-01-01"}, "at most"),
        ({"period": "month", "from": "2026-11", "to": "2026-W48"}, "month is written like"),
    ],
)
def test_a_bad_period_range_or_dimension_is_a_clear_400(params: dict[str, str], says: str) -> None:
    with pytest.raises(InvalidRequest, match=says):
        get_aggregates(Periods(HELD), params)
