"""build_reports' builder: the aggregates read, the charts drawn, the reports bucket and the notify queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, TimezoneSettings, load_settings
from otklik.domain.reports import Report, ReportPeriod
from otklik.ports import ChartRenderer, ConfigSource, Publisher, ReportArchive, ReportCounters
from otklik.usecases.reports import build_reports


class BuildReportsSettings(ConfigSettings, TimezoneSettings):
    aggregates_table: str
    reports_bucket: str
    notify_queue_url: str


@dataclass(frozen=True)
class ReportBuilder:
    config: ConfigSource
    counters: ReportCounters
    archive: ReportArchive
    draw: ChartRenderer
    notify_queue: Publisher
    zone: ZoneInfo

    def __call__(self, now: datetime, requested: ReportPeriod | None = None) -> list[Report]:
        return build_reports(
            now,
            self.zone,
            self.config.current(),
            self.counters,
            self.archive,
            self.draw,
            self.notify_queue,
            requested,
        )


def build() -> ReportBuilder:
    from datetime import timedelta

    from otklik.adapters.aggregate_store import AggregateStore
    from otklik.adapters.charts import render_png
    from otklik.adapters.report_store import ReportStore

    settings = load_settings(BuildReportsSettings)
    dynamodb = aws.client("dynamodb")
    return ReportBuilder(
        config=parts.config_source(settings),
        counters=AggregateStore(dynamodb, settings.aggregates_table, timedelta(days=1)),
        archive=ReportStore(dynamodb, settings.aggregates_table, aws.client("s3"), settings.reports_bucket),
        draw=render_png,
        notify_queue=parts.queue(settings.notify_queue_url),
        zone=settings.timezone,
    )
