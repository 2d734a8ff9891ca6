"""score_feedback: enrich a queued feedback envelope, store it once, and pass it on to routing."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from otklik.domain.enrichment import DEFAULT_UNDERSTANDING, Understanding, author_key, enrich, product_key
from otklik.domain.messages import RouteMessage
from otklik.domain.models import FeedbackEnvelope, FeedbackItem, SeenText, TextOrigin
from otklik.domain.moderation.fake import text_fingerprint
from otklik.ports import FeedbackWriter, Publisher, SeenTexts


@dataclass(frozen=True)
class Scored:
    item: FeedbackItem
    duplicate: bool


def seen_before(envelope: FeedbackEnvelope, seen_texts: SeenTexts) -> SeenText | None:
    """Who wrote this text first, when another item did (None for a text too short to compare).

    The first writer of a fingerprint is kept by a conditional put, so a redelivery of the first item
    finds itself and is not "seen before"; the item's own received_at dates the entry, not a clock."""
    fingerprint = text_fingerprint(envelope.full_text())
    if fingerprint is None:
        return None
    origin = TextOrigin(
        fingerprint=fingerprint,
        feedback_id=envelope.feedback_id,
        author=author_key(envelope),
        product=product_key(envelope),
    )
    first = seen_texts.first_seen(origin, envelope.received_at)
    if first.feedback_id == envelope.feedback_id:
        return None
    return SeenText(author=first.author, product=first.product)


def score_feedback(
    envelope: FeedbackEnvelope,
    timezone: ZoneInfo,
    store: FeedbackWriter,
    route_queue: Publisher,
    seen_texts: SeenTexts,
    understanding: Understanding = DEFAULT_UNDERSTANDING,
) -> Scored:
    item = enrich(envelope, timezone, understanding, seen_before(envelope, seen_texts))
    created = store.put_new(item)
    # Forwarded on duplicates too: if an earlier attempt stored the item but died before this send,
    # the redelivery is what gets it routed. Routing and notification are idempotent downstream.
    route_queue.send(RouteMessage(feedback_id=item.id))
    return Scored(item=item, duplicate=not created)
