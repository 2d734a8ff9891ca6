"""Scoring a feedback text: language, engine, thresholds, stars, overrides (re-exported by the package)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from otklik.domain.language import detect_language
from otklik.domain.models import Tonality, TonalityLabel
from otklik.domain.tonality.lexicon_table import Lexicon, shipped_lexicon
from otklik.domain.tonality.overrides import NO_OVERRIDES, Overrides
from otklik.domain.tonality.ratings import combine
from otklik.domain.tonality.russian import Contribution, RussianEngine, RussianScore

ENGINE_VERSION = "tonality-0.2"
# Label thresholds on the compound score. English keeps VADER's own. Russian ones were chosen on
# the three dev sets together (otklik tonality eval): feedback praises in passing ("цвет красивый,
# но ..."), so a text needs more than a mild positive to be called positive.
THRESHOLDS: Mapping[str, tuple[float, float]] = {"en": (0.05, -0.05), "ru": (0.25, -0.15)}


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def _english_valence() -> Mapping[str, float]:
    lexicon: Mapping[str, float] = _vader().lexicon
    return lexicon


def with_overrides(lexicon: Lexicon, overrides: Overrides) -> Lexicon:
    """The lexicon with a deployment's overrides applied (see otklik.domain.tonality.overrides)."""
    if not overrides:
        return lexicon
    lemma_of = dict(lexicon.lemma_of)
    valence = dict(lexicon.valence)
    phrases = dict(lexicon.phrases)
    for word, value in overrides.words:
        lemma_of[word] = word  # a lemma keeps its forms; any other form becomes a lemma of its own
        valence[word] = value
    for prefix, value in overrides.prefixes:
        valence[f"{prefix}*"] = value
    for words, value in overrides.phrases:
        for word in words:
            lemma_of.setdefault(word, word)  # a phrase's unknown words must be recognized to match
        phrases[tuple(lemma_of[w] for w in words)] = value
    prefixes = tuple(prefix for prefix, _ in overrides.prefixes)
    return Lexicon.build(lemma_of, valence, phrases, dict(lexicon.rules), prefixes)


@cache
def russian_engine(overrides: Overrides = NO_OVERRIDES) -> RussianEngine:
    return RussianEngine(with_overrides(shipped_lexicon(), overrides), _english_valence)


def label_for(compound: float, lang: str = "ru") -> TonalityLabel:
    positive_from, negative_up_to = THRESHOLDS.get(lang, THRESHOLDS["ru"])
    if compound >= positive_from:
        return "positive"
    if compound <= negative_up_to:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class TextScore:
    compound: float
    lang: str
    engine: str
    russian: RussianScore | None


def score_text(text: str, lang: str | None = None, overrides: Overrides = NO_OVERRIDES) -> TextScore:
    language = lang or detect_language(text)
    if language == "en":
        compound = round(float(_vader().polarity_scores(text)["compound"]), 4)
        return TextScore(compound, "en", "vader", None)
    scored = russian_engine(overrides).score(text)
    engine = "otklik-ru+vader" if scored.uses_english else "otklik-ru"
    return TextScore(scored.compound, language, engine, scored)


def score(
    text: str,
    lang: str | None = None,
    rating: int | None = None,
    text_only: bool = False,
    overrides: Overrides = NO_OVERRIDES,
) -> Tonality:
    """Tonality of a feedback text and, unless text_only, of its stars."""
    return with_rating(score_text(text, lang, overrides), rating, text_only)


def with_rating(scored: TextScore, rating: int | None, text_only: bool = False) -> Tonality:
    """A scored text's tonality and, unless text_only, its stars': for a caller that keeps the
    TextScore for more (topics read its contributions)."""
    compound, conflict = scored.compound, False
    if rating is not None and not text_only:
        combined = combine(scored.compound, rating)
        compound, conflict = combined.compound, combined.conflict
    return Tonality(
        label=label_for(compound, scored.lang),
        compound=compound,
        lang=scored.lang,
        engine=scored.engine,
        text_compound=scored.compound,
        rating_text_conflict=conflict,
    )


def explain(text: str, lang: str | None = None, overrides: Overrides = NO_OVERRIDES) -> list[str]:
    """Which words and rules moved the score, one line each, for a person to read."""
    scored = score_text(text, lang, overrides)
    verdict = f"compound {scored.compound:+.4f} -> {label_for(scored.compound, scored.lang)}"
    lines = [f"lang {scored.lang}, engine {scored.engine}, {verdict}"]
    if scored.russian is None:
        lines.append("English text: VADER's own scoring (see vaderSentiment); no per-word trail")
        return lines
    contributions: tuple[Contribution, ...] = scored.russian.contributions
    if not contributions:
        lines.append("no evaluative word, phrase, smiley or emoji found: neutral")
    for unit in contributions:
        steps = "; ".join(unit.steps) if unit.steps else "as is"
        lines.append(f"{unit.words!r:<32} {unit.source:<28} {unit.base:+.2f} -> {unit.value:+.2f}  ({steps})")
    lines.append(f"sum {scored.russian.total:+.3f} (with ! and ? emphasis), compound = sum / sqrt(sum² + 15)")
    return lines
