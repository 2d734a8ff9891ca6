"""Schedule -> poll_marketplaces: each enabled, due connection read from its cursors onto IngestQueue."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.bootstrap import poll_marketplaces
from otklik.entrypoints.lazy import Lazy

logger = Logger()
metrics = Metrics()
poller = Lazy(poll_marketplaces.build)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # {"detail": {"force": true}} polls every enabled connection now, whatever its interval
    # (the schedule's Input on AWS; the body of POST /_local/schedules/... locally).
    force = bool((event.get("detail") or {}).get("force"))
    poll = poller()
    reports = poll(datetime.now(UTC), force=force)
    # Then what the platforms show of the replies published since (their own moderation's verdict).
    looked = poll.read_back(datetime.now(UTC))
    metrics.add_metric(name="RepliesRefusedByPlatform", unit=MetricUnit.Count, value=looked.refused)
    for reply_id, error in looked.failed:
        logger.warning("reply not read back", extra={"reply_id": reply_id, "error": error})
    if reports:
        # A run's failed streams, one figure per run: its alarm waits for failures in three periods running.
        failed = sum(1 for report in reports if report.error)
        metrics.add_metric(name="MarketplacePollsFailed", unit=MetricUnit.Count, value=failed)
    for report in reports:
        metrics.add_metric(name="MarketplaceItemsIn", unit=MetricUnit.Count, value=report.ingested)
        metrics.add_metric(
            name="MarketplaceItemsMalformed", unit=MetricUnit.Count, value=len(report.malformed)
        )
        for item, reason in report.malformed:
            logger.warning(
                "malformed item skipped",
                extra={"connection": report.connection, "item": item, "reason": reason},
            )
        if report.error:
            logger.error(
                "poll stopped",
                extra={"connection": report.connection, "stream": report.stream, "error": report.error},
            )
    return {
        "read_back": {"published": looked.published, "pending": looked.pending, "refused": looked.refused},
        "streams": [
            {
                "connection": r.connection,
                "stream": r.stream,
                "ingested": r.ingested,
                "pages": r.pages,
                "malformed": len(r.malformed),
                "error": r.error,
            }
            for r in reports
        ],
    }
