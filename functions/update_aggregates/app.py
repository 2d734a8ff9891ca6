"""FeedbackTable stream -> update_aggregates: each new feedback item counted into its day, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from otklik.bootstrap import update_aggregates
from otklik.entrypoints.batch import stream_step

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

logger = Logger()
metrics = Metrics()


def count(record: DynamoDBRecord, counter: update_aggregates.Counter) -> dict[str, Any] | None:
    # Powertools' event data classes come with its batch processor, on the first invocation.
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName

    # Only a new item is new feedback; MODIFY records are delivery counters changing.
    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return None
    counted = counter(record.dynamodb.new_image, datetime.now(UTC))
    return {"event_id": record.event_id, "counted": counted}


step = stream_step(count, update_aggregates.build, logger=logger, metrics=metrics, done="feedback counted")
handler = step.handler
