"""RouteQueue -> route_feedback: rules open a ticket (team, priority, deadline) and ask for a notification."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.messages import RouteMessage, decode
from otklik.settings import RouteSettings, load_settings
from otklik.wiring import RouteService

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service = RouteService(load_settings(RouteSettings))

    def record_handler(record: SQSRecord) -> None:
        routed = service.route(decode(RouteMessage, record.body).feedback_id, datetime.now(UTC))
        if routed.created:
            metrics.add_metric(name="TicketsOpened", unit=MetricUnit.Count, value=1)
        logger.info(
            "feedback routed",
            extra={
                "feedback_id": routed.feedback_id,
                "ticket_id": routed.ticket.id if routed.ticket else None,
                "ticket_created": routed.created,
            },
        )

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
