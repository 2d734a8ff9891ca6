"""Scoring a feedback text: language, engine, thresholds, stars, overrides (re-exported by the package)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from otklik.domain.language import detect_language
from otklik.domain.models import Tonality, TonalityLabel
from otklik.domain.tonality.evaluation import evaluate
from otklik.domain.tonality.learned import (
    BREAK,
    CLASSES,
    LEXICON,
    SHIPPED,
    Blend,
    Hasher,
    Model,
    featurize,
    shipped_model,
)
from otklik.domain.tonality.lexicon_table import Lexicon, shipped_lexicon
from otklik.domain.tonality.overrides import NO_OVERRIDES, Overrides
from otklik.domain.tonality.ratings import combine
from otklik.domain.tonality.russian import Contribution, RussianEngine, RussianScore
from otklik.domain.tonality.training import DEFAULT_HYPER, Example, Hyper, train

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


# Not frozen, for the cost of building it on every text (see RussianScore); nothing changes it once made.
@dataclass(slots=True)
class TextScore:
    compound: float  # the lexicon's, or the blend's when a learned layer took part
    lang: str
    engine: str
    russian: RussianScore | None
    lexicon_compound: float | None = None  # the lexicon engine's alone
    learned: Blend | None = None  # what the learned layer said, when one was asked
    model_version: str | None = None


# What score_text is told to use for Russian text: the shipped learned layer (SHIPPED), none (LEXICON),
# or a Model of the caller's (an account's own, loaded by an adapter).
ModelChoice = Model | str


def learned_model(choice: ModelChoice) -> Model | None:
    if isinstance(choice, Model):
        return choice
    if choice == LEXICON:
        return None
    return shipped_model()


def score_text(
    text: str,
    lang: str | None = None,
    overrides: Overrides = NO_OVERRIDES,
    model: ModelChoice = SHIPPED,
    kind: str | None = None,
) -> TextScore:
    """The text's tonality: VADER for English; for Russian the lexicon engine and, unless `model` is
    LEXICON, the learned layer blended over it (`kind`, the feedback's, weighs how far the layer is
    trusted: a kind it was not trained on counts less)."""
    language = lang or detect_language(text)
    if language == "en":
        return _english(text)
    return _learned(russian_engine(overrides).score(text), language, learned_model(model), kind)


# How many texts score_texts takes through each stage at once. Measured on the bench's Russian texts
# (make bench prints the batched rate), the engine then the layer over 64 texts ran about 14% faster
# than text by text, each stage's code staying in the processor's caches; 16 and 128 a stage were 2-3%
# slower than 64, and a thousand slower still (too much kept alive between stages).
STAGE_TEXTS = 64


def score_texts(
    texts: Sequence[str],
    langs: Sequence[str | None] | None = None,
    overrides: Overrides = NO_OVERRIDES,
    model: ModelChoice = SHIPPED,
    kinds: Sequence[str | None] | None = None,
) -> list[TextScore]:
    """What score_text gives each text (with its lang and kind, when given), for many texts: the same
    results, taken stage by stage over STAGE_TEXTS texts at a time (languages, the lexicon engine, then
    the learned layer and VADER), which costs less than text by text."""
    count = len(texts)
    languages = [
        lang or detect_language(text) for text, lang in zip(texts, langs or [None] * count, strict=True)
    ]
    if all(language == "en" for language in languages):  # VADER alone: no Russian engine or layer loaded
        return [_english(text) for text in texts]
    engine, layer = russian_engine(overrides), learned_model(model)
    kinds = kinds or [None] * count
    scores: list[TextScore] = []
    for start in range(0, count, STAGE_TEXTS):
        stage = range(start, min(start + STAGE_TEXTS, count))
        russian = [None if languages[i] == "en" else engine.score(texts[i]) for i in stage]
        scores.extend(
            _english(texts[i]) if scored is None else _learned(scored, languages[i], layer, kinds[i])
            for i, scored in zip(stage, russian, strict=True)
        )
    return scores


def _english(text: str) -> TextScore:
    compound = round(float(_vader().polarity_scores(text)["compound"]), 4)
    return TextScore(compound, "en", "vader", None, compound)


def _learned(scored: RussianScore, language: str, layer: Model | None, kind: str | None) -> TextScore:
    """A Russian text's score once the lexicon engine has read it: the learned layer's blend over it
    (unless there is no layer, or it cannot change the label)."""
    engine = "otklik-ru+vader" if scored.uses_english else "otklik-ru"
    if layer is None or scored.tokens is None:
        return TextScore(scored.compound, language, engine, scored, scored.compound)
    if layer.lexicon_is_sure(scored.compound):  # no weight the layer could have changes the label
        return TextScore(scored.compound, language, engine, scored, scored.compound, None, layer.version)
    blend = layer.judge(scored.tokens, scored, kind)
    if blend is None:  # nor any weight this text can have
        return TextScore(scored.compound, language, engine, scored, scored.compound, None, layer.version)
    if blend.weight == 0.0:  # out of the layer's domain: the lexicon's verdict, exactly
        return TextScore(scored.compound, language, engine, scored, scored.compound, blend, layer.version)
    return TextScore(
        blend.compound, language, engine + "+learned", scored, scored.compound, blend, layer.version
    )


def score(
    text: str,
    lang: str | None = None,
    rating: int | None = None,
    text_only: bool = False,
    overrides: Overrides = NO_OVERRIDES,
    model: ModelChoice = SHIPPED,
    kind: str | None = None,
) -> Tonality:
    """Tonality of a feedback text and, unless text_only, of its stars."""
    return with_rating(score_text(text, lang, overrides, model, kind), rating, text_only)


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
        lexicon_version=ENGINE_VERSION,
        lexicon_compound=scored.lexicon_compound,
        model_version=scored.model_version,
        model_weight=_weight(scored),
    )


def _weight(scored: TextScore) -> float | None:
    """How much the learned layer weighed: None when none was in force, 0 when the lexicon decided."""
    if scored.model_version is None:
        return None
    return round(scored.learned.weight, 3) if scored.learned is not None else 0.0


def explain(
    text: str,
    lang: str | None = None,
    overrides: Overrides = NO_OVERRIDES,
    model: ModelChoice = SHIPPED,
    kind: str | None = None,
) -> list[str]:
    """Which words and rules moved the score, one line each, for a person to read; then what the learned
    layer said, how much it weighed, and its strongest features for this text."""
    scored = score_text(text, lang, overrides, model, kind)
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
    lines.append(
        f"sum {scored.russian.total:+.3f} (with ! and ? emphasis), compound = sum / sqrt(sum² + 15)"
        f" = {scored.russian.compound:+.4f} ({ENGINE_VERSION})"
    )
    layer = learned_explanation(scored, model)
    if layer is None:
        lines.append("learned layer: none (the lexicon alone)")
        return lines
    p = layer["probabilities"]
    lines.append(
        f"learned layer {layer['model_version']}: weight {layer['weight']:.2f} (coverage"
        f" {layer['coverage']:.2f}); it says negative {p['negative']:.2f}, neutral {p['neutral']:.2f},"
        f" positive {p['positive']:.2f}"
    )
    if layer["decides"] != "blend":
        lines.append(f"  {layer['why']}")
    for feature in layer["strongest"]:
        lines.append(f"  {feature['feature']:<40} {feature['push']:+.3f}")
    return lines


def _feature_name(name: str) -> str:
    """A learned feature as a person reads it."""
    kind, _, rest = name.partition(":")
    if name == "w:" + BREAK:
        return "a clause's end"
    if kind == "b" and rest.startswith(BREAK + " "):
        return f"«{rest[2:]}» opening a clause"
    if kind == "b" and rest.endswith(" " + BREAK):
        return f"«{rest[:-2]}» closing a clause"
    if kind == "w":
        return f"word «{rest}»"
    if kind == "s":
        return f"stem «{rest}…»"
    if kind == "b":
        return f"pair «{rest}»"
    if kind == "lex":
        return f"lexicon's {rest}"
    return name


def learned_explanation(
    scored: TextScore, model: ModelChoice = SHIPPED, top: int = 6
) -> dict[str, Any] | None:
    """What the learned layer said about a scored Russian text: the model, its weight and coverage, its
    probabilities, and the features that pushed it most (positive: towards positive); None when no
    layer took part (English, or the lexicon alone)."""
    layer = learned_model(model)
    if (
        layer is None
        or scored.russian is None
        or scored.russian.tokens is None
        or scored.model_version is None
    ):
        return None
    features = featurize(scored.russian.tokens, scored.russian, layer.hasher, keep_names=True)
    asked = scored.learned
    probabilities = layer.probabilities(features)  # also where the blend did not need them
    if asked is None:
        decides, why = (
            "lexicon",
            "the lexicon is sure of its label: no weight the layer could have on this text changes it",
        )
    elif asked.weight == 0.0:
        decides, why = "lexicon", "weight 0: too short, or too unlike what the layer learned from"
    else:
        decides, why = "blend", "the lexicon's compound and the layer's polarity, mixed by the weight"
    return {
        "model_version": layer.version,
        "decides": decides,
        "why": why,
        "weight": round(asked.weight, 4) if asked is not None else 0.0,
        "coverage": round(asked.coverage if asked is not None else layer.coverage(features), 4),
        "lexicon_compound": scored.lexicon_compound,
        "probabilities": {
            label: round(value, 4) for label, value in zip(CLASSES, probabilities, strict=True)
        },
        "strongest": [
            {"feature": _feature_name(name), "push": round(push, 4)}
            for name, push in layer.strongest(features, top)
        ],
    }


def training_examples(
    rows: Sequence[tuple[str, str]], bits: int, overrides: Overrides = NO_OVERRIDES
) -> list[Example]:
    """(text, label) rows as the learned layer's examples; rows whose text is not Russian are left out
    (English is VADER's, and the layer never sees it)."""
    engine = russian_engine(overrides)
    hasher = Hasher(bits)
    examples: list[Example] = []
    for text, label in rows:
        if detect_language(text) == "en":
            continue
        scored = engine.score(text)
        if scored.tokens is not None:
            examples.append(Example(featurize(scored.tokens, scored, hasher), CLASSES.index(label)))
    return examples


def fit(
    rows: Sequence[tuple[str, str]],
    hyper: Hyper = DEFAULT_HYPER,
    like: Model | None = None,
    overrides: Overrides = NO_OVERRIDES,
    manifest: Mapping[str, Any] | None = None,
) -> Model:
    """A learned layer trained on (text, label) rows; its gate, operating point and kinds those of
    `like` (the shipped model, for an account's own), else the defaults."""
    examples = training_examples(rows, hyper.bits, overrides)
    if like is None:
        model = train(examples, hyper)
    else:
        model = train(examples, hyper, gate=like.gate, kinds=like.kinds)
        model.thresholds = like.thresholds
    model.manifest = dict(manifest or {})
    return model


def macro_f1(
    rows: Sequence[tuple[str, str]], model: ModelChoice, overrides: Overrides = NO_OVERRIDES
) -> float:
    """Macro-F1 of the text-only labels a model (or LEXICON) gives rows, as reviews."""
    predicted = [
        label_for(score_text(text, None, overrides, model, "review").compound, detect_language(text))
        for text, _ in rows
    ]
    return evaluate([label for _, label in rows], predicted, 1.0).macro_f1
