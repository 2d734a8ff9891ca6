"""NotifyQueue -> send_notifications: each notification delivered once to the outbox and its channels."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from otklik.bootstrap import send_notifications
from otklik.entrypoints.batch import sqs_step

logger = Logger()
metrics = Metrics()


def notify(message: send_notifications.Message, notifier: send_notifications.Notifier) -> dict[str, Any]:
    notification = message.notification
    delivered = notifier(notification)
    for result in delivered["results"]:
        name = "NotificationsSent" if result["status"] in ("sent", "stored") else "NotificationsFailed"
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    return {
        "notification_id": notification.id,
        "ticket_id": notification.ticket_id,
        "results": delivered["results"],
    }


step = sqs_step(
    notify,
    send_notifications.Message,
    send_notifications.build,
    logger=logger,
    metrics=metrics,
    done="notification delivered",
)
handler = step.handler
