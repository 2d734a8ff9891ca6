"""FeedbackTable stream -> update_aggregates: each new feedback item counted into its day, exactly once."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.adapters.dynamo import from_image
from otklik.settings import AggregateSettings, load_settings
from otklik.wiring import AggregateService

logger = Logger()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service = AggregateService(load_settings(AggregateSettings))

    def record_handler(record: DynamoDBRecord) -> None:
        # Only a new item is new feedback; MODIFY records are delivery counters changing.
        if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
            return
        counted = service.count(from_image(record.dynamodb.new_image), datetime.now(UTC))
        logger.info("feedback counted", extra={"event_id": record.event_id, "counted": counted})

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
