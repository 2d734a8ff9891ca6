"""AnswerQueue -> publish_answers: an approved reply published once to its marketplace, kept on the ticket."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.marketplaces.base import ApprovedReply
from otklik.messages import decode
from otklik.settings import PublishSettings, load_settings
from otklik.wiring import PublishService

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service = PublishService(load_settings(PublishSettings), context)

    def record_handler(record: SQSRecord) -> None:
        result = service.publish(decode(ApprovedReply, record.body))
        metrics.add_metric(
            name="RepliesPublished" if result["published"] else "RepliesRejected",
            unit=MetricUnit.Count,
            value=1,
        )
        logger.info("reply handled", extra=result)

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
