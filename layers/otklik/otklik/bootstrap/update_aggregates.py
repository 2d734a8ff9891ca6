"""update_aggregates' builder: each new feedback item counted into its day's counters, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap.settings import CommonSettings, load_settings
from otklik.ports import CounterStore
from otklik.usecases.aggregate import count_new_feedback

if TYPE_CHECKING:
    from otklik.domain.models import FeedbackItem


class AggregateSettings(CommonSettings):
    aggregates_table: str
    marker_ttl_days: int = Field(default=14, ge=1)  # well past the stream's 24 h retention


@dataclass(frozen=True)
class Counter:
    store: CounterStore
    from_image: Callable[[dict[str, Any]], FeedbackItem]  # a stream record's NewImage as the item

    def __call__(self, new_image: dict[str, Any], now: datetime) -> bool:
        """Count the item a stream INSERT record carries; False if it had been counted already."""
        return count_new_feedback(self.from_image(new_image), now, self.store)


def build() -> Counter:
    from otklik.adapters.aggregate_store import AggregateStore
    from otklik.adapters.feedback_store import feedback_from_image

    settings = load_settings(AggregateSettings)
    store = AggregateStore(
        aws.client("dynamodb"), settings.aggregates_table, timedelta(days=settings.marker_ttl_days)
    )
    return Counter(store, feedback_from_image)
