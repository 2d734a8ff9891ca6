"""build_reports: the reports due (or one asked for), built from the aggregates, stored with their charts
and data, and told (report_ready) with links to them."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from otklik.domain.aggregates import day_period
from otklik.domain.messages import NotifyMessage
from otklik.domain.notifications import event_notification
from otklik.domain.report_page import report_html
from otklik.domain.reports import (
    Report,
    ReportInput,
    ReportPeriod,
    build_report,
    due_periods,
    report_charts,
    report_csv,
)

if TYPE_CHECKING:
    from otklik.domain.config import Config
    from otklik.ports import ChartRenderer, Publisher, ReportArchive, ReportCounters


def report_input(counters: ReportCounters, period: ReportPeriod) -> ReportInput:
    """The counters of the period, of the one before, and of each day its charts show (dimension all)."""
    return ReportInput(
        current=counters.period(period.aggregate_key),
        previous=counters.period(period.previous.aggregate_key),
        days=[(day, counters.dimension(day_period(day.isoformat()), "all")) for day in period.chart_days()],
    )


def report_details(report: Report, links: dict[str, str]) -> dict[str, Any]:
    """What report_ready carries: the report's words, its page, its main chart (Telegram's photo) and every
    chart (an e-mail's inline images)."""
    return {
        "report": {
            "id": report.id,
            "title": report.title,
            "period": report.period,
            "summary": report.summary,
            "url": links["report.html"],
            "photo": links[report.main_chart],
            "charts": [
                {"name": chart.file, "title": chart.title, "url": links[chart.file]}
                for chart in report.charts
            ],
        }
    }


def build_one(
    period: ReportPeriod,
    now: datetime,
    zone: tzinfo,
    config: Config,
    counters: ReportCounters,
    archive: ReportArchive,
    draw: ChartRenderer,
) -> Report:
    """Build one period's report and store its files: report.html, data.csv and the charts (not yet listed:
    see build_reports)."""
    data = report_input(counters, period)
    report = build_report(period, data, config.reports, now)
    images = {f"{chart.name}.png": draw(chart) for chart in report_charts(period, report, data)}
    files = {
        **images,
        "report.html": report_html(report, images, zone).encode(),
        "data.csv": report_csv(report, data).encode(),
    }
    archive.save(report, files)
    return report


def build_reports(
    now: datetime,
    zone: tzinfo,
    config: Config,
    counters: ReportCounters,
    archive: ReportArchive,
    draw: ChartRenderer,
    notify_queue: Publisher,
    requested: ReportPeriod | None = None,
) -> list[Report]:
    """The reports due now and not built yet (or the one requested, built again), each stored and told.

    A report told again (a rebuild, a run retried after its notification was queued) has the same
    notification id, so its readers are told once (otklik.usecases.notify)."""
    if requested is not None:
        periods = [requested]
    else:
        periods = [
            period
            for period in due_periods(now.astimezone(zone), config.reports)
            if archive.get(period.id) is None
        ]
    built: list[Report] = []
    for period in periods:
        report = build_one(period, now, zone, config, counters, archive, draw)
        links = archive.links(report, config.reports.link_days * 86_400)
        note = event_notification(
            "report_ready", report.id, report_details(report, links), now, config.notifications
        )
        # Files, then the notification, then the index: a run that fails before the index is written is
        # retried, builds the report again (the same numbers) and queues the same notification id, which
        # its readers are told once; a listed report has its files and was told.
        notify_queue.send(NotifyMessage(notification=note))
        archive.index(report)
        built.append(report)
    return built
