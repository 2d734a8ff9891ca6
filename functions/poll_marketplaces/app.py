"""Schedule -> poll_marketplaces: each enabled, due connection read from its cursors onto IngestQueue (or,
invoked by `otklik poll` and `otklik backfill`, the connections and the window the event names)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.bootstrap import poll_marketplaces
from otklik.domain.marketplaces.backfill import PollRefused, poll_request
from otklik.entrypoints.lazy import Lazy

logger = Logger()
metrics = Metrics()
poller = Lazy(poll_marketplaces.build)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # {"detail": {"force": true}} polls every enabled connection now, whatever its interval (the schedule's
    # Input on AWS; the body of POST /_local/schedules/... locally); {"connection": NAME} that one now;
    # {"backfill": {"since": DAY, "connection": NAME}} reads again from that day, cursors left alone.
    detail = event.get("detail")
    poll = poller()
    now = datetime.now(UTC)
    try:
        request = poll_request(detail if isinstance(detail, dict) else {}, now, poll.zone)
        reports = poll(now, request)
    except PollRefused as refusal:
        logger.warning("poll refused", extra={"reason": str(refusal)})
        return {"refused": str(refusal)}
    result: dict[str, Any] = {}
    if request.backfill is not None:
        result["backfill"] = {"since": request.backfill.day, "until": request.backfill.until.isoformat()}
    else:
        # Then what the platforms show of the replies published since (their own moderation's verdict).
        looked = poll.read_back(datetime.now(UTC))
        metrics.add_metric(name="RepliesRefusedByPlatform", unit=MetricUnit.Count, value=looked.refused)
        for reply_id, error in looked.failed:
            logger.warning("reply not read back", extra={"reply_id": reply_id, "error": error})
        result["read_back"] = {
            "published": looked.published,
            "pending": looked.pending,
            "refused": looked.refused,
        }
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
    result["streams"] = [
        {
            "connection": r.connection,
            "stream": r.stream,
            "ingested": r.ingested,
            "pages": r.pages,
            "malformed": len(r.malformed),
            "error": r.error,
            "unfinished": r.unfinished,
        }
        for r in reports
    ]
    return result
