"""FeedbackTable and TicketsTable streams -> update_aggregates: a batch's new feedback items and ticket
changes counted into their periods and dimensions, exactly once, each counter written once for the batch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from otklik.bootstrap import update_aggregates
from otklik.entrypoints.batch import stream_step

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

# The sort key of a ticket item in TicketsTable (otklik.adapters.ticket_store.TICKET_SK).
TICKET_SK = "TICKET"

logger = Logger()
metrics = Metrics()


def collect(record: DynamoDBRecord, counter: update_aggregates.Counter) -> dict[str, Any] | None:
    # Powertools' event data classes come with its batch processor, on the first invocation.
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName

    change = record.dynamodb
    if change is None or record.event_name == DynamoDBRecordEventName.REMOVE:
        return None
    keys = change.keys or {}
    if "sk" in keys:
        # TicketsTable: a ticket item's change (its other items, outbox and waits, are not counted)
        if keys.get("sk") == TICKET_SK:
            counter.collect_ticket(change.old_image or None, change.new_image)
        return None
    # FeedbackTable: only a new item is new feedback; MODIFY records are delivery counters changing.
    if record.event_name == DynamoDBRecordEventName.INSERT:
        counter.collect(change.new_image)
    return None


step = stream_step(
    collect, update_aggregates.build, logger=logger, metrics=metrics, done="feedback collected"
)


def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    """Each record read alone (a record that is no feedback item fails alone, by its sequence number), then
    the batch counted at once: if that fails, the invocation fails and the batch is retried (bisected), and
    its items' markers keep what was counted from counting twice."""
    try:
        answer = step.handler(event, context)
    except BaseException:
        step.service().flush_aborted()
        raise
    counted = step.service().flush(datetime.now(UTC))
    logger.info("feedback counted", extra={"counted": len(counted), "records": len(event.get("Records", []))})
    return answer
