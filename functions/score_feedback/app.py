"""IngestQueue -> score_feedback: language, tonality and PII mask; stored once; passed on to routing."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.messages import IngestMessage, decode
from otklik.settings import ScoreSettings, load_settings
from otklik.wiring import ScoreService

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service = ScoreService(load_settings(ScoreSettings))

    def record_handler(record: SQSRecord) -> None:
        scored = service.score(decode(IngestMessage, record.body))
        metrics.add_metric(
            name="FeedbackDuplicates" if scored.duplicate else "FeedbackIn", unit=MetricUnit.Count, value=1
        )
        if not scored.duplicate:
            metrics.add_metric(name=f"Tonality_{scored.item.tonality.label}", unit=MetricUnit.Count, value=1)
        logger.info(
            "feedback scored",
            extra={
                "feedback_id": scored.item.id,
                "duplicate": scored.duplicate,
                "tonality": scored.item.tonality.label,
            },
        )

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
