"""Turning a normalized feedback envelope into a stored, enriched feedback item."""

from datetime import datetime
from zoneinfo import ZoneInfo

from otklik.domain import tonality
from otklik.domain.language import detect_language
from otklik.domain.models import Enrichment, FeedbackEnvelope, FeedbackItem
from otklik.domain.pii import mask_pii
from otklik.domain.tonality.overrides import NO_OVERRIDES, Overrides


def report_day(moment: datetime, timezone: ZoneInfo) -> str:
    """The calendar day (YYYY-MM-DD) a moment falls on in the report time zone."""
    return moment.astimezone(timezone).date().isoformat()


def enrich(
    envelope: FeedbackEnvelope, timezone: ZoneInfo, overrides: Overrides = NO_OVERRIDES
) -> FeedbackItem:
    """Language, tonality and a PII-masked copy of the text; the raw text is kept unaltered."""
    text = envelope.full_text()
    lang = detect_language(text)
    tone = tonality.score(text, lang=lang, rating=envelope.rating, overrides=overrides)
    enrichment = Enrichment(
        text_masked=mask_pii(envelope.text),
        day=report_day(envelope.created_at, timezone),
        lang=lang,
        tonality=tone,
        engines={"tonality": f"{tonality.ENGINE_VERSION}/{tone.engine}"},
    )
    return FeedbackItem.of(envelope, enrichment)
