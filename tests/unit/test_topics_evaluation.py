"""Measuring topics: the figures' definitions on hand-made labels, and issue 9's targets on the dev set."""

from __future__ import annotations

import json

import pytest

from otklik.domain.topics import topics_of
from otklik.domain.topics.evaluation import evaluate_topics, run_topic_evaluation
from tests.conftest import ROOT

DEV = ROOT.parent / "shared" / "datasets" / "wb_topics_dev.jsonl"


def test_the_figures_follow_their_definitions() -> None:
    # Given three texts: one right, one with a wrong polarity and an extra topic, one missed topic
    gold = [
        {"delivery": "positive", "quality": "negative"},
        {"smell": "negative"},
        {"size_fit": "negative"},
    ]
    predicted = [
        {"delivery": "positive", "quality": "negative"},
        {"smell": "positive", "packaging": "neutral"},
        {},
    ]

    result = evaluate_topics(gold, predicted, seconds=2.0)

    # Then presence counts 3 right of 4 found and of 4 labelled
    assert result.micro_f1 == pytest.approx(0.75)
    # and (topic, negative) pairs 1 right of 1 found and of 3 labelled
    assert result.negative_micro_f1 == pytest.approx(2 * 1.0 * (1 / 3) / (1 + 1 / 3))
    # and of the 3 found topics that are labelled, 2 have the labelled polarity
    assert (result.polarity_accuracy, result.polarity_support) == (pytest.approx(2 / 3), 3)
    assert result.topics["smell"].precision == 1.0 and result.topics["packaging"].precision == 0.0
    assert result.topics["size_fit"].recall == 0.0
    # and macro-F1 averages the topics that occur: delivery 1, quality 1, smell 1, size_fit 0, packaging 0
    assert result.macro_f1 == pytest.approx(3 / 5)
    assert result.texts_per_second == 1.5


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="2 gold labellings against 1 predictions"):
        evaluate_topics([{}, {}], [{}], seconds=1.0)


@pytest.mark.skipif(not DEV.is_file(), reason="../shared/datasets/wb_topics_dev.jsonl is not present")
def test_the_dev_set_meets_issue_9s_targets() -> None:
    # Given the 400 hand-labelled Wildberries reviews
    rows = [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]

    # When the engine labels them
    result = run_topic_evaluation(
        rows, lambda text, lang: {m.topic: m.polarity for m in topics_of(text, lang)}, lambda: 0.0
    )

    # Then the three targets are met
    assert result.count == 400
    assert result.micro_f1 >= 0.80
    assert result.negative_micro_f1 >= 0.70
    assert result.polarity_accuracy >= 0.85
