"""NotifyQueue -> send_notifications: each notification delivered once to the outbox and its channels."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.messages import NotifyMessage, decode
from otklik.settings import NotifySettings, load_settings
from otklik.wiring import NotifyService

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service = NotifyService(load_settings(NotifySettings), context)

    def record_handler(record: SQSRecord) -> None:
        notification = decode(NotifyMessage, record.body).notification
        delivered = service.deliver(notification)
        for result in delivered["results"]:
            name = "NotificationsSent" if result["status"] in ("sent", "stored") else "NotificationsFailed"
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        logger.info(
            "notification delivered",
            extra={
                "notification_id": notification.id,
                "ticket_id": notification.ticket_id,
                "results": delivered["results"],
            },
        )

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
