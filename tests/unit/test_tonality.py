"""Tonality entry point: English by VADER, Russian by our engine, stars combined with text."""

from __future__ import annotations

import pytest

from otklik.domain.tonality import score


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
    ("text", "label"),
    [
        ("Ужасное качество, порвалось через день", "negative"),
        ("Отличный рюкзак, очень удобный, всем советую!", "positive"),
        ("Рюкзак пришёл во вторник", "neutral"),
    ],
)
def test_russian_text_is_scored_by_the_russian_engine(text: str, label: str) -> None:
    tone = score(text)

    assert (tone.label, tone.lang, tone.engine.split("+")[0]) == (label, "ru", "otklik-ru")
    assert tone.text_compound == tone.compound


def test_stars_and_text_are_combined_by_the_documented_rule() -> None:
    # Given a one-star review whose text is angry
    text = "Ужасное качество, порвалось через день"
    alone = score(text).compound
    # When it is scored with its stars
    tone = score(text, rating=1)
    # Then the compound is 0.65 x stars (-1 for one star) + 0.35 x text, and the text score is kept
    assert tone.compound == pytest.approx(round(0.65 * -1.0 + 0.35 * alone, 4))
    assert tone.text_compound == alone
    assert tone.rating_text_conflict is False


def test_text_only_ignores_the_stars() -> None:
    tone = score("Ужасное качество, порвалось через день", rating=5, text_only=True)

    assert tone.label == "negative"
    assert tone.compound == tone.text_compound
    assert tone.rating_text_conflict is False


def test_five_stars_over_an_angry_text_is_flagged() -> None:
    tone = score("Ужасное качество, порвалось через день, отвратительно", rating=5)

    assert tone.rating_text_conflict is True


def test_an_explicit_language_overrides_detection() -> None:
    # Given English words said to be Russian, and Russian words said to be English
    as_russian = score("Terrible, broke in a day", lang="ru")
    as_english = score("Ужасно", lang="en")

    # Then the caller's language decides the engine (English words still count inside Russian text)
    assert (as_russian.lang, as_russian.engine, as_russian.label) == ("ru", "otklik-ru+vader", "negative")
    assert (as_english.lang, as_english.engine) == ("en", "vader")
