"""What the lexicon engine counts for the learned layer: how many units it negated, whether a contrast
or concession weighed any."""

from __future__ import annotations

import pytest

from otklik.domain.tonality.scoring import russian_engine


@pytest.mark.parametrize(
    ("text", "negated", "contrasted"),
    [
        ("Отличная куртка", 0, False),
        ("Не удобно и не красиво", 2, False),
        ("Аромата нет, но удобно", 1, True),  # negated after the noun
        ("Красивый, но не удобный", 1, True),
        ("Хотя дорогой, удобный", 0, True),
        ("", 0, False),
    ],
)
def test_the_engine_counts_negated_units_and_says_whether_a_contrast_weighed(
    text: str, negated: int, contrasted: bool
) -> None:
    scored = russian_engine().score(text)
    assert (scored.negated, scored.contrasted) == (negated, contrasted)
    steps = [step for unit in scored.contributions for step in unit.steps]
    assert scored.negated == sum(1 for step in steps if step.startswith("negated by "))
    assert scored.contrasted == any(step.startswith(("before ", "after ")) for step in steps)
