"""score_feedback: enrich a queued feedback envelope, store it once, and pass it on to routing."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from otklik.domain.enrichment import enrich
from otklik.domain.messages import RouteMessage
from otklik.domain.models import FeedbackEnvelope, FeedbackItem
from otklik.domain.tonality.overrides import NO_OVERRIDES, Overrides
from otklik.ports import FeedbackWriter, Publisher


@dataclass(frozen=True)
class Scored:
    item: FeedbackItem
    duplicate: bool


def score_feedback(
    envelope: FeedbackEnvelope,
    timezone: ZoneInfo,
    store: FeedbackWriter,
    route_queue: Publisher,
    overrides: Overrides = NO_OVERRIDES,
) -> Scored:
    item = enrich(envelope, timezone, overrides)
    created = store.put_new(item)
    # Forwarded on duplicates too: if an earlier attempt stored the item but died before this send,
    # the redelivery is what gets it routed. Routing and notification are idempotent downstream.
    route_queue.send(RouteMessage(feedback_id=item.id))
    return Scored(item=item, duplicate=not created)
