"""update_aggregates: count each new feedback item into its day's counters, exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from otklik.aggregates import AggregateUpdate, new_feedback_update
from otklik.documents import feedback_from_document


class CounterStore(Protocol):
    def apply(self, update: AggregateUpdate, now: datetime) -> bool: ...


def count_new_feedback(document: dict[str, Any], now: datetime, store: CounterStore) -> bool:
    """True if this call counted the item; False if it had been counted already (a redelivery)."""
    return store.apply(new_feedback_update(feedback_from_document(document)), now)
