"""Schedule -> detect_spikes: today's complaints per topic, overall and per product, against their own
baselines; each spike kept once (GET /alerts) and told (spike_alert)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.bootstrap import detect_spikes
from otklik.entrypoints.lazy import Lazy

logger = Logger()
metrics = Metrics()
detector = Lazy(detect_spikes.build)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alerts = detector()(datetime.now(UTC))
    metrics.add_metric(name="SpikeAlerts", unit=MetricUnit.Count, value=len(alerts))
    # Keys name topics and products, never customer text
    logger.info("spikes detected", extra={"alerts": [alert.key for alert in alerts]})
    return {"alerts": [alert.id for alert in alerts]}
