"""detect_spikes' builder: the day's counters against their baselines, spikes kept once and told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.domain.alerts import SpikeAlert
from otklik.ports import AggregateQueries, AlertKeeper, ConfigSource, DayItems, Publisher
from otklik.usecases.alerts import detect_spikes


class SpikeSettings(ConfigSettings):
    aggregates_table: str
    feedback_table: str
    notify_queue_url: str
    report_timezone: str = "Europe/Moscow"


@dataclass(frozen=True)
class Detector:
    config: ConfigSource
    aggregates: AggregateQueries
    alerts: AlertKeeper
    items: DayItems
    notify_queue: Publisher
    zone: ZoneInfo

    def __call__(self, now: datetime) -> list[SpikeAlert]:
        return detect_spikes(
            now, self.zone, self.config.current(), self.aggregates, self.alerts, self.items, self.notify_queue
        )


def build() -> Detector:
    from datetime import timedelta

    from otklik.adapters.aggregate_store import AggregateStore
    from otklik.adapters.alert_store import AlertStore
    from otklik.adapters.feedback_store import FeedbackStore

    settings = load_settings(SpikeSettings)
    client = aws.client("dynamodb")
    return Detector(
        config=parts.config_source(settings),
        aggregates=AggregateStore(client, settings.aggregates_table, timedelta(days=1)),
        alerts=AlertStore(client, settings.aggregates_table),
        items=FeedbackStore(client, settings.feedback_table),
        notify_queue=parts.queue(settings.notify_queue_url),
        zone=ZoneInfo(settings.report_timezone),
    )
