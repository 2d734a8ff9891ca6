"""RouteQueue -> route_feedback: rules open a ticket (team, priority, deadline) and ask for a notification."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from otklik.bootstrap import route_feedback
from otklik.entrypoints.batch import sqs_step

logger = Logger()
metrics = Metrics()


def route(message: route_feedback.Message, router: route_feedback.Router) -> dict[str, Any]:
    routed = router(message.feedback_id, datetime.now(UTC))
    if routed.created:
        metrics.add_metric(name="TicketsOpened", unit=MetricUnit.Count, value=1)
    if routed.repeat_contact:
        metrics.add_metric(name="RepeatContacts", unit=MetricUnit.Count, value=1)
    return {
        "feedback_id": routed.feedback_id,
        "ticket_id": routed.ticket.id if routed.ticket else None,
        "ticket_created": routed.created,
        "repeat_contact": routed.repeat_contact,
    }


step = sqs_step(
    route,
    route_feedback.Message,
    route_feedback.build,
    logger=logger,
    metrics=metrics,
    done="feedback routed",
)
handler = step.handler
