"""Topics of feedback, each with its own polarity and the span that names it (aspect tonality).

The eleven topics of TOPICS.md (quality, size_fit, description_mismatch, wrong_or_missing_item,
delivery, packaging, smell, price_value, seller_service, returns_refunds, counterfeit) plus a seller's
own (the configuration document's `topics:`). Tonality is computed once per item and passed in:

    scored = tonality.score_text(text, lang)
    mentions = detect_topics(text, scored.lang, scored.russian.contributions if scored.russian else None)

English texts are scored by VADER, which gives no per-word contributions; pass None and the detector
looks the words up in VADER's lexicon itself. topics_of() does both steps, for the CLI and tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache, lru_cache

from otklik.domain.language import detect_language
from otklik.domain.topics.detection import Evaluated, TopicDetector
from otklik.domain.topics.mentions import TopicMention, TopicPolarity
from otklik.domain.topics.seller import NO_SELLER_TOPICS, SellerTopics
from otklik.domain.topics.table import LANGUAGES, TOPICS, shipped_table

ENGINE_VERSION = "topics-0.1"


@cache
def _english_valence() -> Mapping[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lexicon: Mapping[str, float] = SentimentIntensityAnalyzer().lexicon
    return lexicon


@lru_cache(maxsize=32)  # per language and seller configuration; a configuration changes rarely
def topic_detector(lang: str, extra: SellerTopics = NO_SELLER_TOPICS) -> TopicDetector:
    """The detector of a language (with a seller's cues), built once per process and configuration."""
    language = lang if lang in LANGUAGES else "ru"
    valence = _english_valence if language == "en" else None
    return TopicDetector(shipped_table(language), language, extra, valence)


def detect_topics(
    text: str,
    lang: str,
    contributions: Sequence[Evaluated] | None,
    extra: SellerTopics = NO_SELLER_TOPICS,
) -> tuple[TopicMention, ...]:
    """The topics of a text, from the tonality contributions computed for it (None: English/VADER)."""
    return topic_detector(lang, extra).detect(text, contributions)


def topics_of(
    text: str, lang: str | None = None, extra: SellerTopics = NO_SELLER_TOPICS
) -> tuple[TopicMention, ...]:
    """Tonality and topics of a text in one call (the pipeline computes tonality once and passes it)."""
    from otklik.domain.tonality import score_text  # VADER and the models: only this helper needs them

    language = lang or detect_language(text)
    scored = score_text(text, language)
    contributions = scored.russian.contributions if scored.russian is not None else None
    return detect_topics(text, scored.lang, contributions, extra)


__all__ = [
    "ENGINE_VERSION",
    "NO_SELLER_TOPICS",
    "TOPICS",
    "SellerTopics",
    "TopicMention",
    "TopicPolarity",
    "detect_topics",
    "topic_detector",
    "topics_of",
]
