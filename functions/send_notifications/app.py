"""NotifyQueue -> send_notifications: each notification kept in the outbox and delivered to its channels."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from otklik.bootstrap import send_notifications
from otklik.entrypoints.batch import sqs_step

logger = Logger()
metrics = Metrics()

# The metric each channel's outcome counts in; the outbox's own entry counts as sent.
METRIC_OF_STATUS = {
    "sent": "NotificationsSent",
    "stored": "NotificationsSent",
    "failed": "NotificationsFailed",
    "unconfirmed": "NotificationsUnconfirmed",
}


def notify(message: send_notifications.Message, notifier: send_notifications.Notifier) -> dict[str, Any]:
    """Logs carry ids, channel names, statuses and error words: never the notification's title or text."""
    notification = message.notification
    ids = {"notification_id": notification.id, "ticket_id": notification.ticket_id}
    try:
        delivered = notifier(notification)
    except send_notifications.Incomplete as incomplete:
        logger.warning("notification to be retried", extra={**ids, "retrying": incomplete.errors})
        metrics.add_metric(name="NotificationsRetried", unit=MetricUnit.Count, value=len(incomplete.errors))
        raise
    for result in delivered["results"]:
        metrics.add_metric(name=METRIC_OF_STATUS[result["status"]], unit=MetricUnit.Count, value=1)
    results = [
        {key: result[key] for key in ("channel", "status", "error") if result.get(key)}
        for result in delivered["results"]
    ]
    return {**ids, "results": results}


step = sqs_step(
    notify,
    send_notifications.Message,
    send_notifications.build,
    logger=logger,
    metrics=metrics,
    done="notification delivered",
)
handler = step.handler
