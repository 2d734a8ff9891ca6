"""The one way a queue- or stream-triggered step runs: build once per container, each record alone.

Every SQS handler is `sqs_step(...)` (and update_aggregates, on the FeedbackTable stream, is
`stream_step(...)`): the step's service is built on the first invocation and kept while the container
is warm (settings are parsed once); records are processed with Powertools' BatchProcessor and answered
as a partial batch response, so a poison record fails alone and is retried or dead-lettered without
its neighbours. A failed record is logged with its id, the error's class and where it was raised, and
counted in the RecordsFailed metric; never with its body or the error's message, which may quote
customer text (otklik.entrypoints.quiet_processor).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

from aws_lambda_powertools import Logger, Metrics

from otklik.domain.messages import decode
from otklik.entrypoints.lazy import Lazy

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from otklik.entrypoints.quiet_processor import EventSource, QuietProcessor

Service = TypeVar("Service")
Message = TypeVar("Message")
Outcome = Mapping[str, Any] | None


@runtime_checkable
class ContextAware(Protocol):
    """A service that wants each invocation's Lambda context (Powertools idempotency does)."""

    def bind(self, lambda_context: Any) -> None: ...


class BatchStep(Generic[Service]):
    """The handler of one step: `step(event, context)`; the service is built on first use."""

    def __init__(
        self,
        build: Callable[[], Service],
        handle_record: Callable[[Any, Service], Outcome],
        *,
        source: EventSource,
        logger: Logger,
        metrics: Metrics,
        done: str,
    ) -> None:
        self.service = Lazy(build)
        self._handle_record = handle_record
        self._logger = logger
        self._metrics = metrics
        self._done = done
        self._processor = Lazy(lambda: _processor(source, logger, metrics))
        self.handler = logger.inject_lambda_context(metrics.log_metrics(self._invoke))

    def _record(self, record: Any) -> None:
        outcome = self._handle_record(record, self.service())
        if outcome is not None:
            self._logger.info(self._done, extra=dict(outcome))

    def _invoke(self, event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        service = self.service()
        if isinstance(service, ContextAware):
            service.bind(context)
        return self._processor().answer(event, self._record, context)


def _processor(source: EventSource, logger: Logger, metrics: Metrics) -> QuietProcessor:
    # Powertools' batch utility (with its event data classes, parser models and asyncio: some hundred
    # modules, half an `import boto3`) is imported by a step's first invocation, not by its handler module.
    from otklik.entrypoints.quiet_processor import QuietProcessor

    return QuietProcessor(source, logger, metrics)


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

    return BatchStep(build, handle_record, source="SQS", logger=logger, metrics=metrics, done=done)


def stream_step(
    handle: Callable[[Any, Service], Outcome],
    build: Callable[[], Service],
    *,
    logger: Logger,
    metrics: Metrics,
    done: str,
) -> BatchStep[Service]:
    """A step fed by a DynamoDB stream: each record (Powertools' DynamoDBRecord) is handled as is."""
    return BatchStep(build, handle, source="DynamoDBStreams", logger=logger, metrics=metrics, done=done)
