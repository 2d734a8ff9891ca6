"""FetchQueue -> fetch_marketplace: the feedback behind a Yandex Market notification, onto IngestQueue."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.messages import FetchMessage, decode
from otklik.settings import FetchSettings, load_settings
from otklik.wiring import FetchService

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service = FetchService(load_settings(FetchSettings))

    def record_handler(record: SQSRecord) -> None:
        message = decode(FetchMessage, record.body)
        fetched = service.fetch(message, datetime.now(UTC))
        logger.info("notified feedback fetched", extra={"connection": message.connection, "items": fetched})

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
