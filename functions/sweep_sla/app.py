"""Schedule -> sweep_sla: open tickets past their first-response deadline are marked breached and notified."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.bootstrap import sweep_sla
from otklik.entrypoints.lazy import Lazy

logger = Logger()
metrics = Metrics()
sweeper = Lazy(sweep_sla.build)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    breached = sweeper()(datetime.now(UTC))
    metrics.add_metric(name="SlaBreaches", unit=MetricUnit.Count, value=len(breached))
    logger.info("sla sweep done", extra={"breached": len(breached)})
    return {"breached": breached}
