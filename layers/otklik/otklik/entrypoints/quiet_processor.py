"""A step's batch processor: Powertools' BatchProcessor, its failures logged by id and class only, counted.

Imported by a step's first invocation (see otklik.entrypoints.batch), not by its handler module:
Powertools' batch utility brings its event data classes, parser models and asyncio with it.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

FAILED_METRIC = "RecordsFailed"
# What feeds a step, by the name of Powertools' EventType member.
EventSource = Literal["SQS", "DynamoDBStreams"]


def _raised_at(error: BaseException | None) -> str:
    """module:function:line of the innermost frame: enough to find the bug, nothing of the data."""
    frames = traceback.extract_tb(error.__traceback__) if error is not None else []
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.name}:{frame.lineno}"


class QuietProcessor(BatchProcessor):
    """BatchProcessor whose failures are logged by id and class only, and counted."""

    def __init__(self, source: EventSource, logger: Logger, metrics: Metrics) -> None:
        super().__init__(event_type=EventType[source], raise_on_entire_batch_failure=False)
        self._step_logger = logger
        self._metrics = metrics

    def failure_handler(self, record: Any, exception: Any) -> Any:
        error = exception[1]
        self._step_logger.warning(
            "record failed",
            extra={
                "record_id": getattr(record, "message_id", None) or getattr(record, "event_id", None),
                "error": type(error).__name__ if error is not None else "unknown",
                "raised_at": _raised_at(error),
            },
        )
        self._metrics.add_metric(name=FAILED_METRIC, unit=MetricUnit.Count, value=1)
        # What BatchProcessor.failure_handler records, without its debug line: that line quotes the
        # error's message, and a message may quote the record's customer text.
        self.exceptions.append(exception)
        self.fail_messages.append(record)
        return ("fail", type(error).__name__ if error is not None else "unknown", record)

    def answer(
        self, event: dict[str, Any], record_handler: Callable[[Any], None], context: LambdaContext
    ) -> PartialItemFailureResponse:
        """Each record of event through record_handler; the failed ones' ids as a partial batch response."""
        return process_partial_response(
            event=event, record_handler=record_handler, processor=self, context=context
        )
