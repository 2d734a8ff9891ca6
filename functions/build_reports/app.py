"""Schedule -> build_reports: yesterday's report each morning, last week's on Monday, last month's on the
1st (in the report zone), stored in the reports bucket and told (report_ready). An event with a period
(`{"detail": {"period": "day", "key": "2026-11-22"}}`) builds that one again."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.bootstrap import build_reports
from otklik.domain.aggregates import PeriodError
from otklik.domain.reports import ReportPeriod
from otklik.entrypoints.lazy import Lazy

logger = Logger()
metrics = Metrics()
builder = Lazy(build_reports.build)


def requested_period(event: dict[str, Any]) -> ReportPeriod | None:
    """The period an event asks for (in its detail, or at its top level); None for a plain schedule."""
    given = event.get("detail")
    detail: dict[str, Any] = given if isinstance(given, dict) else {}
    asked = detail if "period" in detail or "key" in detail else event
    if "period" not in asked and "key" not in asked:
        return None
    return ReportPeriod.of(str(asked.get("period", "")), str(asked.get("key", "")))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        requested = requested_period(event)
    except PeriodError as error:
        # A hand-made event that names no period: said so, not retried (it would fail the same way).
        logger.warning("report request refused", extra={"reason": str(error)})
        return {"error": str(error), "reports": []}
    reports = builder()(datetime.now(UTC), requested)
    metrics.add_metric(name="ReportsBuilt", unit=MetricUnit.Count, value=len(reports))
    logger.info("reports built", extra={"reports": [report.id for report in reports]})
    return {"reports": [report.id for report in reports]}
