"""Rated reviews for the tonality learning tests: a shop's own slang, which the lexicon does not know, so
a model trained on the shop's reviews must beat the lexicon and the shipped model on the held-back ones;
and real Wildberries reviews from ../shared/datasets, read where they are (never copied here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WB_REVIEWS = ROOT.parent / "shared" / "datasets" / "wb_reviews_dev.jsonl"

# Words the lexicon scores 0 (tests/unit/test_train_tonality.py checks it): what the shop's buyers say.
SLANG = {
    "positive": ("зачётос", "кайфово", "имбовый"),
    "neutral": ("серединка", "таксебешно"),
    "negative": ("кринжатина", "трешак", "отстойник"),
}
STARS = {"negative": (1, 2), "neutral": (3,), "positive": (4, 5)}
LABELS = ("negative", "neutral", "positive", "positive", "negative", "positive", "negative")
SYLLABLES = ("ба", "ве", "ги", "до", "жу", "зо", "ки", "ло", "му", "ны", "пе", "ро", "су", "ти", "фу", "ха")
# Each review has three words of the shop's own (its products' names, say), each in COPIES reviews: a
# held-back review's words were seen in training, and none is so common that it says nothing of where a
# text comes from (the learned layer trusts itself on texts of the kind it was trained on).
COPIES = 4


def _filler(index: int) -> str:
    return "".join(SYLLABLES[(index >> shift) % len(SYLLABLES)] for shift in (0, 4, 8)) + "н"


def _groups(number: int, count: int) -> tuple[int, int, int]:
    """The groups of COPIES reviews the number-th shares each of its three words with: three different
    partitions, so that its words are seen beside different reviews (a held-back review's words are then
    each in training on their own, not all or none)."""
    quarter = count // COPIES
    return number % quarter, number // COPIES, (number // 2) % quarter


def slang_reviews(count: int) -> list[tuple[str, int]]:
    """The shop's `count` reviews (a multiple of 4): each text and its stars."""
    if count % COPIES:
        raise ValueError(f"count must be a multiple of {COPIES}")
    quarter = count // COPIES
    reviews: list[tuple[str, int]] = []
    for number in range(count):
        label = LABELS[number % len(LABELS)]
        slang, stars = SLANG[label], STARS[label]
        fillers = [_filler(slot * quarter + group) for slot, group in enumerate(_groups(number, count))]
        text = (
            f"{fillers[0]} {slang[number % len(slang)]} {fillers[1]}, "
            f"{fillers[2]} {slang[(number + 1) % len(slang)]}"
        )
        reviews.append((text, stars[number % len(stars)]))
    return reviews


def wildberries_rows() -> list[dict[str, Any]]:
    """The labelled Wildberries reviews with stars, or the test is skipped saying where they should be."""
    if not WB_REVIEWS.is_file():
        pytest.skip(f"the Wildberries dev set is not at {WB_REVIEWS} (../shared/datasets)")
    rows = [json.loads(line) for line in WB_REVIEWS.read_text("utf-8").splitlines() if line.strip()]
    return [row for row in rows if isinstance(row.get("rating"), int) and isinstance(row.get("text"), str)]
