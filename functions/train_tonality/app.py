"""Schedule -> train_tonality: each account's own learned tonality layer, fitted on its star-rated reviews,
validated on the held-back ones and promoted only when it is better there. An event with an account
(`{"detail": {"account": "wb-main"}}`, as `otklik tonality train --account` sends) trains that one only."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.bootstrap import train_tonality
from otklik.domain.learning import ACCOUNT
from otklik.entrypoints.lazy import Lazy

logger = Logger()
metrics = Metrics()
trainer = Lazy(train_tonality.build)


def requested_account(event: dict[str, Any]) -> str | None:
    """The account an event asks for (in its detail); None for a plain schedule: every account."""
    detail = event.get("detail")
    account = detail.get("account") if isinstance(detail, dict) else None
    if account is None:
        return None
    if not isinstance(account, str) or not ACCOUNT.match(account):
        raise ValueError("detail.account must be an account name (letters, digits, '_', '.', '-')")
    return account


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        account = requested_account(event)
    except ValueError as error:
        # A hand-made event with a bad account: said so, not retried (it would fail the same way).
        metrics.add_metric(name="TonalityTrainingRefused", unit=MetricUnit.Count, value=1)
        logger.warning("training request refused", extra={"reason": str(error)})
        return {"error": str(error), "accounts": []}
    run = trainer()(datetime.now(UTC), account)
    for outcome in ("promoted", "refused", "not_enough"):
        count = sum(1 for report in run.accounts if report.outcome == outcome)
        metrics.add_metric(name=f"TonalityModels_{outcome}", unit=MetricUnit.Count, value=count)
    if run.disabled:
        logger.info("tonality learning is off (tonality.learning.enabled: false)")
        return {"disabled": True, "accounts": []}
    # Accounts, counts, versions and figures: never a review's text
    logger.info("tonality models trained", extra={"accounts": [report.as_dict() for report in run.accounts]})
    return {"accounts": [report.as_dict() for report in run.accounts]}
