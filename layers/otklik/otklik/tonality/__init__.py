"""Tonality of a feedback text: the one entry point score_feedback and the CLI use.

English is scored by VADER. Russian has no text engine yet (issue #3 brings one): a Russian
text with stars is scored by its stars (engine "rating"), one without stars is left neutral
with engine "none", so nobody mistakes it for a measured result.
"""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from otklik.language import detect_language
from otklik.models import Tonality, TonalityLabel

ENGINE_VERSION = "tonality-0.1"
# VADER's own recommended thresholds on the compound score.
POSITIVE_FROM = 0.05
NEGATIVE_UP_TO = -0.05


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def label_for(compound: float) -> TonalityLabel:
    if compound >= POSITIVE_FROM:
        return "positive"
    if compound <= NEGATIVE_UP_TO:
        return "negative"
    return "neutral"


def rating_compound(rating: int) -> float:
    """Stars 1..5 on the compound scale: 1 -> -1.0, 3 -> 0.0, 5 -> 1.0."""
    return (rating - 3) / 2


def score(text: str, lang: str | None = None, rating: int | None = None, text_only: bool = False) -> Tonality:
    """Tonality of text (and, unless text_only, its star rating)."""
    language = lang or detect_language(text)
    if language == "en":
        compound = round(float(_vader().polarity_scores(text)["compound"]), 4)
        return Tonality(label=label_for(compound), compound=compound, lang=language, engine="vader")
    if rating is not None and not text_only:
        compound = rating_compound(rating)
        return Tonality(label=label_for(compound), compound=compound, lang=language, engine="rating")
    return Tonality(label="neutral", compound=0.0, lang=language, engine="none")
