"""Turning a normalized feedback envelope into a stored, enriched feedback item."""

from datetime import datetime
from zoneinfo import ZoneInfo

from otklik import tonality
from otklik.language import detect_language
from otklik.models import FeedbackEnvelope, FeedbackItem
from otklik.pii import mask_pii
from otklik.tonality.overrides import NO_OVERRIDES, Overrides


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
    return FeedbackItem(
        id=envelope.feedback_id,
        source=envelope.source,
        account=envelope.account,
        kind=envelope.kind,
        external_id=envelope.external_id,
        text=envelope.text,
        text_masked=mask_pii(envelope.text),
        pros=envelope.pros,
        cons=envelope.cons,
        rating=envelope.rating,
        product=envelope.product,
        order=envelope.order,
        author=envelope.author,
        photos=envelope.photos,
        answered=envelope.answered,
        reply_context=envelope.reply_context,
        created_at=envelope.created_at,
        received_at=envelope.received_at,
        day=report_day(envelope.created_at, timezone),
        lang=lang,
        tonality=tone,
        engines={"tonality": f"{tonality.ENGINE_VERSION}/{tone.engine}"},
    )
