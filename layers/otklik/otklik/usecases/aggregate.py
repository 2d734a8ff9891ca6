"""update_aggregates: count each new feedback item into its periods' counters, exactly once, a batch at a
time (each counter written once per batch)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from otklik.domain.aggregates import AggregateUpdate, new_feedback_update
from otklik.domain.models import FeedbackItem
from otklik.ports import CounterStore


def count_new_feedback(item: FeedbackItem, now: datetime, store: CounterStore) -> bool:
    """True if this call counted the item; False if it had been counted already (a redelivery)."""
    return bool(count_batch([item], now, store))


def count_batch(items: Sequence[FeedbackItem], now: datetime, store: CounterStore) -> set[str]:
    """The ids of the items this call counted; an item counted before (a batch delivered again, or
    bisected after a failure) is not counted twice."""
    updates = [new_feedback_update(item, item.arrived_day) for item in items]
    applied = store.apply_batch(updates, now)
    return {item.id for item, update in zip(items, updates, strict=True) if update.applied_marker in applied}


def apply_updates(updates: Sequence[AggregateUpdate], now: datetime, store: CounterStore) -> set[str]:
    """A stream batch's updates (new feedback, ticket changes) applied at once; the markers applied now."""
    return store.apply_batch(updates, now) if updates else set()
