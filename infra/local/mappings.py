"""Event source mappings as Lambda runs them: SQS queues and DynamoDB streams polled into functions."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.local.resources import SNS_TOPIC, SQS_QUEUE, LocalResources
from infra.local.runtime import FunctionError, LambdaRuntime
from infra.local.template import EventSource, FunctionSpec, Template, TemplateError

logger = logging.getLogger(__name__)

DEFAULT_RETRY_DELAY_SECONDS = 1
DEFAULT_POLL_INTERVAL_SECONDS = 0.1
SQS_WAIT_SECONDS = 1
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"

_CLIENT_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"})
_NOT_EMULATED = ("FilterCriteria", "TumblingWindowInSeconds")


class EventSourceMapping(ABC):
    """One poller thread that feeds one function from one queue or stream."""

    kind = "mapping"

    def __init__(
        self,
        *,
        function: FunctionSpec,
        event: EventSource,
        runtime: LambdaRuntime,
        source_arn: str,
        poll_interval: float,
    ) -> None:
        self.function_id = function.logical_id
        self.event_name = event.name
        self.runtime = runtime
        self.source_arn = source_arn
        self.poll_interval = poll_interval
        self.batches = 0
        self.records = 0
        self.failed_batches = 0
        self._stop = threading.Event()
        self._in_flight = False
        self._last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"{self.kind}-{self.name}", daemon=True)

    @property
    def name(self) -> str:
        return f"{self.function_id}.{self.event_name}"

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the poller to stop after its current receive or batch (see `stop`)."""
        self._stop.set()

    def stop(self) -> None:
        """Stop the poller and wait for it: a batch in flight is finished first."""
        self.request_stop()
        if self._thread.is_alive():
            self._thread.join(timeout=SQS_WAIT_SECONDS + 10)

    @abstractmethod
    def is_idle(self) -> bool:
        """No batch in flight and nothing waiting at the source."""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.kind,
            "function": self.function_id,
            "source": self.source_arn,
            "state": "in flight" if self._in_flight else "polling",
            "batches": self.batches,
            "records": self.records,
            "failed_batches": self.failed_batches,
        }

    @abstractmethod
    def _poll(self) -> bool:
        """Deliver at most one batch; True when there was one."""

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delivered = self._poll()
            except (ClientError, BotoCoreError) as error:
                self._report_error(error)
                self._stop.wait(1.0)
                continue
            except Exception:
                # A bug here must not end the mapping silently: log it and keep polling.
                logger.exception("%s: the poller failed; retrying", self.name)
                self._stop.wait(1.0)
                continue
            self._last_error = None
            if not delivered:
                self._stop.wait(self.poll_interval)

    def _report_error(self, error: Exception) -> None:
        message = str(error)
        if message != self._last_error:
            logger.warning("%s: cannot read %s: %s", self.name, self.source_arn, message)
        self._last_error = message

    @contextmanager
    def _delivering(self) -> Iterator[None]:
        self._in_flight = True
        try:
            yield
        finally:
            self._in_flight = False

    def _invoke(self, event: dict[str, Any]) -> tuple[Any, FunctionError | None]:
        self.batches += 1
        self.records += len(event["Records"])
        try:
            return self.runtime.invoke(self.function_id, event), None
        except FunctionError as error:
            self.failed_batches += 1
            error.log(logger, "%s failed on a batch of %d records", self.function_id, len(event["Records"]))
            return None, error


def failed_item_ids(result: Any, item_ids: list[str]) -> set[str] | None:
    """The ids a ReportBatchItemFailures response names; None when the response is malformed.

    As Lambda does: no batchItemFailures (or an empty list) is a success, and an entry without an
    itemIdentifier from this batch makes the whole batch a failure.
    """
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return set()
    if not isinstance(failures, list):
        return None
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in item_ids:
            return None
        failed.add(identifier)
    return failed


# ---------------------------------------------------------------- SQS


class SqsEventSourceMapping(EventSourceMapping):
    """Receives up to BatchSize messages, invokes, deletes what succeeded and retries the rest."""

    kind = "sqs"

    def __init__(
        self,
        *,
        function: FunctionSpec,
        event: EventSource,
        runtime: LambdaRuntime,
        queue_arn: str,
        queue_url: str,
        batch_size: int,
        report_failures: bool,
        session: boto3.Session,
        endpoint_url: str | None,
        region: str,
        retry_delay: int,
        poll_interval: float,
    ) -> None:
        super().__init__(
            function=function, event=event, runtime=runtime, source_arn=queue_arn, poll_interval=poll_interval
        )
        self.queue_url = queue_url
        self.batch_size = batch_size
        self.report_failures = report_failures
        self.region = region
        self.retry_delay = retry_delay
        self._sqs: Any = session.client("sqs", endpoint_url=endpoint_url, config=_CLIENT_CONFIG)
        self._inspector: Any = session.client("sqs", endpoint_url=endpoint_url, config=_CLIENT_CONFIG)

    def is_idle(self) -> bool:
        if self._in_flight:
            return False
        counts = self._inspector.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return not self._in_flight and all(int(count) == 0 for count in counts.values())

    def _poll(self) -> bool:
        messages = self._receive()
        if not messages:
            return False
        with self._delivering():
            records = [self.record(message) for message in messages]
            ids = [record["messageId"] for record in records]
            result, error = self._invoke({"Records": records})
            failed: set[str] | None = set(ids) if error else set()
            if error is None and self.report_failures:
                failed = failed_item_ids(result, ids)
                if failed is None:
                    logger.warning(
                        "%s returned a malformed batchItemFailures; the whole batch fails", self.name
                    )
                    failed = set(ids)
            self._settle(messages, failed or set())
        return True

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.batch_size and not self._stop.is_set():
            wanted = min(10, self.batch_size - len(messages))
            received = self._sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=wanted,
                WaitTimeSeconds=0 if messages else SQS_WAIT_SECONDS,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages.extend(received)
            if len(received) < wanted:
                break
        return messages

    def record(self, message: dict[str, Any]) -> dict[str, Any]:
        """The SQS record of a Lambda event, built from a received message."""
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _lambda_message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.source_arn,
            "awsRegion": self.region,
        }
        if message.get("MD5OfMessageAttributes"):
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record

    def _settle(self, messages: list[dict[str, Any]], failed: set[str]) -> None:
        done = [m for m in messages if m["MessageId"] not in failed]
        retried = [m for m in messages if m["MessageId"] in failed]
        for chunk in _chunks(done, 10):
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        # Lambda leaves a failed message invisible for the queue's VisibilityTimeout; locally it comes
        # back after the short retry delay, so retries and redrive to the DLQ happen within seconds.
        for chunk in _chunks(retried, 10):
            self._sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self.retry_delay}
                    for i, m in enumerate(chunk)
                ],
            )
        outcome = f"{len(retried)} failed, retried in {self.retry_delay} s" if retried else "ok"
        logger.info("%s: %s -> %s", self.name, _count(len(messages), "SQS message"), outcome)


def _lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- DynamoDB streams


@dataclass
class _Shard:
    shard_id: str
    iterator: str
    attempts: int = 0
    failing_sequence: str | None = None
    limit: int | None = None
    not_before: float = 0.0


class DynamoDbStreamEventSourceMapping(EventSourceMapping):
    """Reads stream records in order, invokes, and checkpoints; retries from the first failed record."""

    kind = "dynamodb"

    def __init__(
        self,
        *,
        function: FunctionSpec,
        event: EventSource,
        runtime: LambdaRuntime,
        stream_arn: str,
        starting_position: str,
        batch_size: int,
        maximum_retry_attempts: int,
        bisect_on_error: bool,
        report_failures: bool,
        on_failure_arn: str | None,
        function_arn: str,
        resources: LocalResources,
        session: boto3.Session,
        endpoint_url: str | None,
        region: str,
        retry_delay: int,
        poll_interval: float,
    ) -> None:
        super().__init__(
            function=function,
            event=event,
            runtime=runtime,
            source_arn=stream_arn,
            poll_interval=poll_interval,
        )
        self.starting_position = starting_position
        self.batch_size = batch_size
        self.maximum_retry_attempts = maximum_retry_attempts
        self.bisect_on_error = bisect_on_error
        self.report_failures = report_failures
        self.on_failure_arn = on_failure_arn
        self.function_arn = function_arn
        self.resources = resources
        self.region = region
        self.retry_delay = retry_delay
        # With an explicit endpoint the account-id endpoint DynamoDB Streams prefers is not used.
        config = _CLIENT_CONFIG.merge(Config(account_id_endpoint_mode="disabled"))
        self._streams: Any = session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config)
        self._inspector: Any = session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config)
        self._destinations: dict[str, Any] = {
            "sqs": session.client("sqs", endpoint_url=endpoint_url, config=_CLIENT_CONFIG),
            "sns": session.client("sns", endpoint_url=endpoint_url, config=_CLIENT_CONFIG),
        }
        self._shards: list[_Shard] = []
        self._lock = threading.Lock()

    def is_idle(self) -> bool:
        if self._in_flight:
            return False
        with self._lock:
            shards = list(self._shards)
        if not shards:
            return not self._has_records_at_start()
        for shard in shards:
            if self._inspector.get_records(ShardIterator=shard.iterator, Limit=1).get("Records"):
                return False
        return not self._in_flight

    def _has_records_at_start(self) -> bool:
        """Before the poller has found its shards: is there anything it would read?"""
        if self.starting_position == "LATEST":
            return False
        description = self._inspector.describe_stream(StreamArn=self.source_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            iterator = self._inspector.get_shard_iterator(
                StreamArn=self.source_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            if self._inspector.get_records(ShardIterator=iterator, Limit=1).get("Records"):
                return True
        return False

    def _poll(self) -> bool:
        if not self._shards:
            self._discover_shards()
        delivered = False
        for shard in list(self._shards):
            if time.monotonic() >= shard.not_before:
                delivered = self._poll_shard(shard) or delivered
        return delivered

    def _discover_shards(self) -> None:
        description = self._streams.describe_stream(StreamArn=self.source_arn)["StreamDescription"]
        shards = []
        for shard in description.get("Shards", []):
            iterator = self._streams.get_shard_iterator(
                StreamArn=self.source_arn, ShardId=shard["ShardId"], ShardIteratorType=self.starting_position
            )["ShardIterator"]
            shards.append(_Shard(shard["ShardId"], iterator))
        with self._lock:
            self._shards = shards

    def _poll_shard(self, shard: _Shard) -> bool:
        response = self._streams.get_records(
            ShardIterator=shard.iterator, Limit=shard.limit or self.batch_size
        )
        raw_records = response.get("Records", [])
        if not raw_records:
            # Keep the iterator: reading it again later sees new records (and moto keeps no extra one).
            return False
        with self._delivering():
            records = [self.record(raw) for raw in raw_records]
            sequences = [record["dynamodb"]["SequenceNumber"] for record in records]
            result, error = self._invoke({"Records": records})
            first_failed: str | None = sequences[0] if error else None
            if error is None and self.report_failures:
                failed = failed_item_ids(result, sequences)
                if failed is None:
                    logger.warning(
                        "%s returned a malformed batchItemFailures; the whole batch fails", self.name
                    )
                    failed = set(sequences)
                first_failed = next((sequence for sequence in sequences if sequence in failed), None)
            with self._lock:
                self._checkpoint(shard, records, response["NextShardIterator"], first_failed, error)
        return True

    def _checkpoint(
        self,
        shard: _Shard,
        records: list[dict[str, Any]],
        next_iterator: str,
        first_failed: str | None,
        error: FunctionError | None,
    ) -> None:
        if first_failed is None:
            logger.info("%s: %s -> ok", self.name, _count(len(records), "stream record"))
            shard.iterator, shard.attempts, shard.failing_sequence, shard.limit = next_iterator, 0, None, None
            return
        if error is not None and self.bisect_on_error and len(records) > 1:
            # BisectBatchOnFunctionError: retry the first half; splitting does not use up retries.
            shard.limit = max(1, len(records) // 2)
            shard.iterator = self._iterator_at(shard.shard_id, first_failed)
            logger.info("%s: batch of %d failed; retrying its first %d", self.name, len(records), shard.limit)
            return
        if shard.failing_sequence != first_failed:
            shard.failing_sequence, shard.attempts = first_failed, 0
        shard.attempts += 1
        failed_from = [record["dynamodb"]["SequenceNumber"] for record in records].index(first_failed)
        if 0 <= self.maximum_retry_attempts < shard.attempts:
            self._send_on_failure(shard, records[failed_from:], error, attempts=shard.attempts)
            shard.iterator, shard.attempts, shard.failing_sequence, shard.limit = next_iterator, 0, None, None
            return
        logger.info(
            "%s: stream record %s failed (attempt %d); retrying from it",
            self.name,
            first_failed,
            shard.attempts,
        )
        shard.iterator = self._iterator_at(shard.shard_id, first_failed)
        shard.not_before = time.monotonic() + self.retry_delay

    def _iterator_at(self, shard_id: str, sequence_number: str) -> str:
        return str(
            self._streams.get_shard_iterator(
                StreamArn=self.source_arn,
                ShardId=shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=sequence_number,
            )["ShardIterator"]
        )

    def record(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The DynamoDB record of a Lambda event, built from a GetRecords record."""
        stream = raw["dynamodb"]
        created = stream.get("ApproximateCreationDateTime")
        dynamodb: dict[str, Any] = {}
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        for key in ("Keys", "NewImage", "OldImage"):
            if key in stream:
                dynamodb[key] = _json_attribute_values(stream[key])
        dynamodb.update(
            {
                "SequenceNumber": stream["SequenceNumber"],
                "SizeBytes": stream.get("SizeBytes", 0),
                "StreamViewType": stream.get("StreamViewType"),
            }
        )
        return {
            "eventID": raw["eventID"],
            "eventName": raw["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": dynamodb,
            "eventSourceARN": self.source_arn,
        }

    def _send_on_failure(
        self, shard: _Shard, records: list[dict[str, Any]], error: FunctionError | None, *, attempts: int
    ) -> None:
        if self.on_failure_arn is None:
            logger.error(
                "%s: gave up on %d stream records after %d attempts; no on-failure destination: dropped",
                self.name,
                len(records),
                attempts,
            )
            return
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if error is not None:
            response_context["functionError"] = "Unhandled"
        document = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": response_context,
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": shard.shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso_seconds(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _iso_seconds(last.get("ApproximateCreationDateTime")),
                "batchSize": len(records),
                "streamArn": self.source_arn,
            },
        }
        self._deliver(document)
        logger.error(
            "%s: gave up on %d stream records after %d attempts; described them on %s",
            self.name,
            len(records),
            attempts,
            self.on_failure_arn,
        )

    def _deliver(self, document: dict[str, Any]) -> None:
        arn = str(self.on_failure_arn)
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        body = json.dumps(document)
        if service == "sqs":
            record = self.resources.by_arn(arn)
            if record is not None and record.type == SQS_QUEUE and record.url:
                queue_url = record.url
            else:
                queue_url = self._destinations["sqs"].get_queue_url(QueueName=arn.split(":")[5])["QueueUrl"]
            self._destinations["sqs"].send_message(QueueUrl=queue_url, MessageBody=body)
        elif service == "sns":
            self._destinations["sns"].publish(TopicArn=arn, Message=body)
        else:
            logger.error("%s: on-failure destination %s is not an SQS queue or SNS topic", self.name, arn)


def _json_attribute_values(value: Any) -> Any:
    """AttributeValues as the Lambda event's JSON carries them: binary as base64 text."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: _json_attribute_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_attribute_values(item) for item in value]
    return value


def _iso_seconds(epoch: Any) -> str | None:
    if not isinstance(epoch, int | float):
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- from the template


def build_event_source_mappings(
    template: Template,
    resources: LocalResources,
    runtime: LambdaRuntime,
    *,
    session: boto3.Session,
    endpoint_url: str | None,
    retry_delay: int = DEFAULT_RETRY_DELAY_SECONDS,
    poll_interval: float = DEFAULT_POLL_INTERVAL_SECONDS,
) -> list[EventSourceMapping]:
    """One mapping per SQS and DynamoDB event of every function (events with Enabled: false left out)."""
    mappings: list[EventSourceMapping] = []
    for function in runtime.functions():
        for event in function.events_of_type("SQS", "DynamoDB"):
            props = template.resolve(event.properties, resources) or {}
            if str(props.get("Enabled", True)).lower() == "false":
                logger.info("%s.%s is disabled", function.logical_id, event.name)
                continue
            for setting in _NOT_EMULATED:
                if setting in props:
                    logger.warning(
                        "%s.%s: %s is not applied locally", function.logical_id, event.name, setting
                    )
            common: dict[str, Any] = {
                "function": function,
                "event": event,
                "runtime": runtime,
                "session": session,
                "endpoint_url": endpoint_url,
                "region": template.region,
                "retry_delay": retry_delay,
                "poll_interval": poll_interval,
            }
            report_failures = REPORT_BATCH_ITEM_FAILURES in (props.get("FunctionResponseTypes") or [])
            if event.type == "SQS":
                mappings.append(
                    _sqs_mapping(props, resources, session, endpoint_url, report_failures, common)
                )
            else:
                mappings.append(_stream_mapping(function, props, resources, report_failures, common))
    return mappings


def _sqs_mapping(
    props: dict[str, Any],
    resources: LocalResources,
    session: boto3.Session,
    endpoint_url: str | None,
    report_failures: bool,
    common: dict[str, Any],
) -> SqsEventSourceMapping:
    queue_arn = str(props.get("Queue"))
    record = resources.by_arn(queue_arn)
    if record is not None and record.url:
        queue_url = record.url
    else:
        sqs = session.client("sqs", endpoint_url=endpoint_url)
        queue_url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", maxsplit=1)[-1])["QueueUrl"]
    return SqsEventSourceMapping(
        queue_arn=queue_arn,
        queue_url=queue_url,
        batch_size=int(props.get("BatchSize", 10)),
        report_failures=report_failures,
        **common,
    )


def _stream_mapping(
    function: FunctionSpec,
    props: dict[str, Any],
    resources: LocalResources,
    report_failures: bool,
    common: dict[str, Any],
) -> DynamoDbStreamEventSourceMapping:
    starting_position = str(props.get("StartingPosition", "LATEST"))
    if starting_position not in ("TRIM_HORIZON", "LATEST"):
        raise TemplateError(
            f"{function.logical_id}: StartingPosition {starting_position} is not supported locally"
        )
    on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    record = resources.by_arn(str(on_failure)) if on_failure is not None else None
    if record is not None and record.type not in (SQS_QUEUE, SNS_TOPIC):
        raise TemplateError(f"{function.logical_id}: on-failure destination must be a queue or a topic")
    return DynamoDbStreamEventSourceMapping(
        stream_arn=str(props.get("Stream")),
        starting_position=starting_position,
        batch_size=int(props.get("BatchSize", 100)),
        maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
        bisect_on_error=str(props.get("BisectBatchOnFunctionError", False)).lower() == "true",
        report_failures=report_failures,
        on_failure_arn=str(on_failure) if on_failure is not None else None,
        function_arn=resources.arn(function.logical_id),
        resources=resources,
        **common,
    )
