"""Tonality: English by VADER, Russian by its stars until it has a text engine, never a made-up score."""

from __future__ import annotations

import pytest

from otklik.tonality import score


@pytest.mark.parametrize(
    "text",
    [
        "Terrible quality, it broke after one day. Awful!",
        "Worst purchase ever, do not buy this garbage.",
    ],
)
def test_clearly_negative_english_is_negative(text: str) -> None:
    tone = score(text)

    assert (tone.label, tone.lang, tone.engine) == ("negative", "en", "vader")
    assert tone.compound <= -0.5


@pytest.mark.parametrize(
    "text",
    [
        "I love it, excellent quality, great!",
        "Perfect fit and fast delivery, thank you so much",
    ],
)
def test_clearly_positive_english_is_positive(text: str) -> None:
    tone = score(text)

    assert (tone.label, tone.lang, tone.engine) == ("positive", "en", "vader")
    assert tone.compound >= 0.5


def test_plain_english_statement_is_neutral() -> None:
    tone = score("The package arrived on Tuesday.")

    assert (tone.label, tone.lang, tone.engine) == ("neutral", "en", "vader")
    assert -0.05 < tone.compound < 0.05


@pytest.mark.parametrize(
    ("rating", "label", "compound"),
    [
        (1, "negative", -1.0),
        (2, "negative", -0.5),
        (3, "neutral", 0.0),
        (4, "positive", 0.5),
        (5, "positive", 1.0),
    ],
)
def test_russian_with_stars_is_scored_by_its_stars(rating: int, label: str, compound: float) -> None:
    tone = score("Рюкзак пришёл, пользуюсь неделю", rating=rating)

    assert (tone.label, tone.compound, tone.lang, tone.engine) == (label, compound, "ru", "rating")


def test_russian_without_stars_is_left_neutral_and_says_it_was_not_measured() -> None:
    tone = score("Ужасное качество, порвалось через день")

    assert (tone.label, tone.compound, tone.lang, tone.engine) == ("neutral", 0.0, "ru", "none")


def test_text_only_ignores_the_stars_of_russian_feedback() -> None:
    tone = score("Ужасное качество, порвалось через день", rating=1, text_only=True)

    assert (tone.label, tone.compound, tone.engine) == ("neutral", 0.0, "none")


def test_an_explicit_language_overrides_detection() -> None:
    # Given English words, When the caller says the text is Russian
    as_russian = score("Terrible, broke in a day", lang="ru", rating=5)
    # And Russian words said to be English
    as_english = score("Ужасно", lang="en")

    # Then the caller's language decides the engine
    assert (as_russian.lang, as_russian.engine, as_russian.label) == ("ru", "rating", "positive")
    assert (as_english.lang, as_english.engine) == ("en", "vader")
