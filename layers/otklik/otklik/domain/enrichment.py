"""Turning a normalized feedback envelope into a stored, enriched feedback item."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from otklik.domain import moderation as moderation_engine
from otklik.domain import tonality, topics
from otklik.domain.language import detect_language
from otklik.domain.models import (
    Enrichment,
    FeedbackEnvelope,
    FeedbackFields,
    FeedbackItem,
    Moderation,
    SeenText,
    Topic,
)
from otklik.domain.moderation.settings import NO_SETTINGS, ModerationSettings
from otklik.domain.pii import mask_pii
from otklik.domain.tonality.learned import SHIPPED, Model
from otklik.domain.tonality.overrides import NO_OVERRIDES, Overrides
from otklik.domain.topics.seller import NO_SELLER_TOPICS, SellerTopics

# What one item stores of its evidence, so that a 20,000-character text of links or mashing cannot
# make an item DynamoDB refuses (400 KB): every flag is kept, its reasons up to MAX_REASONS, and each
# quoted span up to MAX_QUOTE_CHARS (start and end still say where the whole span is).
MAX_REASONS = 20
MAX_QUOTE_CHARS = 200


@dataclass(frozen=True)
class Understanding:
    """What a seller's configuration document adds to the engines (tonality overrides, the seller's own
    topics and words, moderation words and switches), and the learned tonality layer in force: "shipped"
    (the package's), "lexicon" (none: the lexicon engine alone), or a Model (an account's own)."""

    overrides: Overrides = NO_OVERRIDES
    model: Model | str = SHIPPED
    topics: SellerTopics = NO_SELLER_TOPICS
    moderation: ModerationSettings = field(default=NO_SETTINGS)


DEFAULT_UNDERSTANDING = Understanding()


def report_day(moment: datetime, timezone: ZoneInfo) -> str:
    """The calendar day (YYYY-MM-DD) a moment falls on in the report time zone."""
    return moment.astimezone(timezone).date().isoformat()


def author_key(fields: FeedbackFields) -> str | None:
    """Who wrote it, as the store of seen texts compares writers: the channel's id, else the name."""
    author = fields.author
    if author is None:
        return None
    return author.id or author.name


def product_key(fields: FeedbackFields) -> str | None:
    return fields.product.id if fields.product else None


def _quote(text: str) -> str:
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 1] + "…"


def _bounded(found: Moderation) -> Moderation:
    if len(found.reasons) <= MAX_REASONS and all(len(r.text) <= MAX_QUOTE_CHARS for r in found.reasons):
        return found
    reasons = tuple(r.model_copy(update={"text": _quote(r.text)}) for r in found.reasons[:MAX_REASONS])
    return Moderation(flags=found.flags, reasons=reasons)


def enrich(
    envelope: FeedbackEnvelope,
    timezone: ZoneInfo,
    understanding: Understanding = DEFAULT_UNDERSTANDING,
    seen_before: SeenText | None = None,
) -> FeedbackItem:
    """Language, tonality, topics with their own polarity, moderation flags, and a PII-masked copy of
    the text (the author's own names masked too); the raw text is kept unaltered.

    The text is scored once: topics read the clause-level contributions of that one scoring.
    `seen_before` is who wrote the same text first, when that was another item (moderation's
    fake_signal)."""
    text = envelope.full_text()
    lang = detect_language(text)
    scored = tonality.score_text(text, lang, understanding.overrides, understanding.model, envelope.kind)
    tone = tonality.with_rating(scored, envelope.rating)
    contributions = scored.russian.contributions if scored.russian is not None else None
    mentions = topics.detect_topics(text, scored.lang, contributions, understanding.topics)
    flagged = moderation_engine.moderate(
        text,
        author=author_key(envelope),
        product=product_key(envelope),
        seen_before=seen_before,
        settings=understanding.moderation,
    )
    names = (envelope.author.name,) if envelope.author and envelope.author.name else ()
    enrichment = Enrichment(
        text_masked=mask_pii(envelope.text, names=names),
        day=report_day(envelope.created_at, timezone),
        arrived_day=report_day(envelope.received_at, timezone),
        lang=lang,
        tonality=tone,
        topics=tuple(
            Topic(topic=m.topic, polarity=m.polarity, evidence=_quote(m.evidence), start=m.start, end=m.end)
            for m in mentions
        ),
        moderation=_bounded(flagged),
        engines={
            "tonality": f"{tonality.ENGINE_VERSION}/{tone.engine}",
            "topics": topics.ENGINE_VERSION,
            "moderation": moderation_engine.ENGINE_VERSION,
        },
    )
    return FeedbackItem.of(envelope, enrichment)
