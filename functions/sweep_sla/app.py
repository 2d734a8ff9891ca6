"""Schedule -> sweep_sla: the SLA events due on tickets (warnings, breaches, escalations), each told once."""

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
    result = sweeper()(datetime.now(UTC), lambda: context.get_remaining_time_in_millis() / 1000)
    metrics.add_metric(name="SlaBreaches", unit=MetricUnit.Count, value=len(result.breached))
    metrics.add_metric(name="SlaWarnings", unit=MetricUnit.Count, value=len(result.warned))
    metrics.add_metric(name="SlaEscalations", unit=MetricUnit.Count, value=len(result.escalated))
    # Due tickets this run had no time for: the next run takes them; a lasting count means add workers.
    metrics.add_metric(name="SlaLeftForNextRun", unit=MetricUnit.Count, value=result.left)
    counts = {"breached": len(result.breached), "warned": len(result.warned), "left": result.left}
    logger.info("sla sweep done", extra=counts | {"escalated": len(result.escalated)})
    return {
        "breached": result.breached,
        "warned": result.warned,
        "escalated": result.escalated,
        "left": result.left,
    }
