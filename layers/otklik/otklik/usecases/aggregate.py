"""update_aggregates: count each new feedback item into its day's counters, exactly once."""

from __future__ import annotations

from datetime import datetime

from otklik.domain.aggregates import new_feedback_update
from otklik.domain.models import FeedbackItem
from otklik.ports import CounterStore


def count_new_feedback(item: FeedbackItem, now: datetime, store: CounterStore) -> bool:
    """True if this call counted the item; False if it had been counted already (a redelivery)."""
    return store.apply(new_feedback_update(item), now)
