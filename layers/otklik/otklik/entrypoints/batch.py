"""The one way a queue- or stream-triggered step runs: build once per container, each record alone.

Every SQS handler (and update_aggregates on the FeedbackTable stream) is `batch_step(...)`: the
step's service is built on the first invocation and kept while the container is warm (settings are
parsed once); records are processed with Powertools' BatchProcessor and answered as a partial batch
response, so a poison record fails alone and is retried or dead-lettered without its neighbours.
A failed record is logged with its id, the error's class and where it was raised, and counted in
the RecordsFailed metric; never with its body or the error's message, which may quote customer text.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from otklik.domain.messages import decode
from otklik.entrypoints.lazy import Lazy

Service = TypeVar("Service")
Message = TypeVar("Message")
Outcome = Mapping[str, Any] | None

FAILED_METRIC = "RecordsFailed"


@runtime_checkable
class ContextAware(Protocol):
    """A service that wants each invocation's Lambda context (Powertools idempotency does)."""

    def bind(self, lambda_context: Any) -> None: ...


def _raised_at(error: BaseException | None) -> str:
    """module:function:line of the innermost frame: enough to find the bug, nothing of the data."""
    frames = traceback.extract_tb(error.__traceback__) if error is not None else []
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.name}:{frame.lineno}"


class _QuietProcessor(BatchProcessor):
    """BatchProcessor whose failures are logged by id and class only, and counted."""

    def __init__(self, event_type: EventType, logger: Logger, metrics: Metrics) -> None:
        super().__init__(event_type=event_type, raise_on_entire_batch_failure=False)
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
        return super().failure_handler(record, exception)


class BatchStep(Generic[Service]):
    """The handler of one step: `step(event, context)`; the service is built on first use."""

    def __init__(
        self,
        build: Callable[[], Service],
        handle_record: Callable[[Any, Service], Outcome],
        *,
        event_type: EventType,
        logger: Logger,
        metrics: Metrics,
        done: str,
    ) -> None:
        self.service = Lazy(build)
        self._handle_record = handle_record
        self._logger = logger
        self._metrics = metrics
        self._done = done
        self._processor = _QuietProcessor(event_type, logger, metrics)
        self.handler = logger.inject_lambda_context(metrics.log_metrics(self._invoke))

    def _record(self, record: Any) -> None:
        outcome = self._handle_record(record, self.service())
        if outcome is not None:
            self._logger.info(self._done, extra=dict(outcome))

    def _invoke(self, event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        service = self.service()
        if isinstance(service, ContextAware):
            service.bind(context)
        return process_partial_response(
            event=event, record_handler=self._record, processor=self._processor, context=context
        )


def sqs_step(
    handle: Callable[[Message, Service], Outcome],
    message: type[Message],
    build: Callable[[], Service],
    *,
    logger: Logger,
    metrics: Metrics,
    done: str,
) -> BatchStep[Service]:
    """A step fed by SQS: each record's body is decoded as `message`, then handled."""

    def handle_record(record: Any, service: Service) -> Outcome:
        return handle(decode(message, record.body), service)  # type: ignore[type-var]

    return BatchStep(
        build, handle_record, event_type=EventType.SQS, logger=logger, metrics=metrics, done=done
    )


def stream_step(
    handle: Callable[[Any, Service], Outcome],
    build: Callable[[], Service],
    *,
    logger: Logger,
    metrics: Metrics,
    done: str,
) -> BatchStep[Service]:
    """A step fed by a DynamoDB stream: each record (Powertools' DynamoDBRecord) is handled as is."""
    return BatchStep(
        build, handle, event_type=EventType.DynamoDBStreams, logger=logger, metrics=metrics, done=done
    )
