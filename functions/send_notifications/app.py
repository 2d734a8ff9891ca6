"""NotifyQueue -> send_notifications: each notification kept in the outbox and delivered to whom its
subscriptions name; every minute (schedule) what waited is released and the digests are told."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.bootstrap import send_notifications
from otklik.entrypoints.batch import sqs_step

logger = Logger()
metrics = Metrics()

# The metric each delivery's outcome counts in; the outbox's own entry counts as sent.
METRIC_OF_STATUS = {
    "sent": "NotificationsSent",
    "stored": "NotificationsStored",
    "failed": "NotificationsFailed",
    "unconfirmed": "NotificationsUnconfirmed",
    "retrying": "NotificationsRetried",
    "deferred": "NotificationsDeferred",
    "digested": "NotificationsDigested",
}


def _counted(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for result in results:
        metrics.add_metric(name=METRIC_OF_STATUS[result["status"]], unit=MetricUnit.Count, value=1)
    # Delivery keys name recipients by their configured name, never an address.
    return [
        {key: result[key] for key in ("channel", "status", "error") if result.get(key)} for result in results
    ]


def notify(message: send_notifications.Message, notifier: send_notifications.Notifier) -> dict[str, Any]:
    """Logs carry ids, delivery keys, statuses and error words: never the notification's title or text."""
    notification = message.notification
    ids = {
        "notification_id": notification.id,
        "ticket_id": notification.ticket_id,
        "attempt": message.attempt,
    }
    delivered = notifier(message)
    return {**ids, "results": _counted(delivered["results"])}


step = sqs_step(
    notify,
    send_notifications.Message,
    send_notifications.build,
    logger=logger,
    metrics=metrics,
    done="notification delivered",
)


@logger.inject_lambda_context
@metrics.log_metrics
def release(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The schedule's pass: held deliveries whose time came queued again; digests whose window ended told."""
    released = step.service().release(datetime.now(UTC))
    digests = _counted([result.model_dump(mode="json") for result in released.digests])
    said = {"released": released.waits, "digests": digests, "dead_letters": released.dead_letters}
    logger.info("notifications released", extra=said)
    return said


def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    if "Records" in event:
        return step.handler(event, context)
    return release(event, context)
