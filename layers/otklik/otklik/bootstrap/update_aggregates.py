"""update_aggregates' builder: a stream batch's new feedback items and ticket changes counted into their
periods' counters, exactly once, each counter written once per batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap.settings import CommonSettings, load_settings
from otklik.domain.aggregates import AggregateUpdate, new_feedback_update, ticket_update
from otklik.ports import CounterStore
from otklik.usecases.aggregate import apply_updates

if TYPE_CHECKING:
    from otklik.domain.models import FeedbackItem, Ticket


class AggregateSettings(CommonSettings):
    aggregates_table: str
    marker_ttl_days: int = Field(default=14, ge=1)  # well past the stream's 24 h retention
    report_timezone: str = "Europe/Moscow"


@dataclass
class Counter:
    store: CounterStore
    from_image: Callable[[dict[str, Any]], FeedbackItem]  # a FeedbackTable stream NewImage as the item
    ticket_from_image: Callable[[dict[str, Any]], Ticket] | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))
    _batch: list[AggregateUpdate] = field(default_factory=list)

    def collect(self, new_image: dict[str, Any]) -> str:
        """Keep the item a FeedbackTable INSERT record carries for this batch's count; its id. A record that
        is not a feedback item raises here, and fails alone."""
        item = self.from_image(new_image)
        self._batch.append(new_feedback_update(item, item.arrived_day))
        return item.id

    def collect_ticket(self, old_image: dict[str, Any] | None, new_image: dict[str, Any]) -> None:
        """Keep what a ticket's change (TicketsTable, sk TICKET) means for the numbers, if anything."""
        if self.ticket_from_image is None:
            return
        before = self.ticket_from_image(old_image) if old_image else None
        update = ticket_update(before, self.ticket_from_image(new_image), self.zone)
        if update is not None:
            self._batch.append(update)

    def flush(self, now: datetime) -> set[str]:
        """Count the batch (the markers applied now; what was counted before is not counted again)."""
        batch, self._batch = self._batch, []
        return apply_updates(batch, now, self.store)

    def flush_aborted(self) -> None:
        """The invocation failed before counting: forget what it collected (its retry collects again)."""
        self._batch = []


def build() -> Counter:
    from otklik.adapters.aggregate_store import AggregateStore
    from otklik.adapters.feedback_store import feedback_from_image
    from otklik.adapters.ticket_store import ticket_from_image

    settings = load_settings(AggregateSettings)
    store = AggregateStore(
        aws.client("dynamodb"), settings.aggregates_table, timedelta(days=settings.marker_ttl_days)
    )
    return Counter(store, feedback_from_image, ticket_from_image, ZoneInfo(settings.report_timezone))
