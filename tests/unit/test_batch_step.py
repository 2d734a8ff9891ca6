"""The batch step every queue and stream handler is: a poison record fails alone, quietly, and is counted."""

from __future__ import annotations

import copy
import json
import logging
import uuid
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from pydantic import BaseModel

from otklik.entrypoints.batch import BatchStep, sqs_step, stream_step
from tests.conftest import EVENTS
from tests.integration.conftest import LambdaContextStub

# What a customer might write, and what an error might quote of it: it must never reach a log line.
CUSTOMER_TEXT = "Иванова Мария, +7 912 345-67-89, ул. Ленина 5"
POISON_ID = "fb_poison"


class CustomerNote(BaseModel):
    """A queue message that carries customer text, as IngestMessage does."""

    feedback_id: str
    text: str = ""


class Service:
    """A step's service; it refuses the poison item with an error that quotes the customer."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.contexts: list[str] = []

    def handle(self, feedback_id: str) -> dict[str, Any]:
        if feedback_id == POISON_ID:
            raise LookupError(f"no such item; the customer wrote {CUSTOMER_TEXT!r}")
        self.handled.append(feedback_id)
        return {"feedback_id": feedback_id}

    def bind(self, lambda_context: Any) -> None:
        self.contexts.append(lambda_context.aws_request_id)


class Builds:
    """The step's builder, counting how often it is called."""

    def __init__(self) -> None:
        self.services: list[Service] = []

    def __call__(self) -> Service:
        self.services.append(Service())
        return self.services[-1]


def _sample(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((EVENTS / name).read_text("utf-8"))["Records"][0]
    return record


def note(feedback_id: str) -> str:
    return json.dumps({"feedback_id": feedback_id, "text": CUSTOMER_TEXT}, ensure_ascii=False)


def sqs_event(*bodies: str) -> dict[str, Any]:
    """An SQS event like events/sqs_route_feedback.json, one record (and message id) per body."""
    sample = _sample("sqs_route_feedback.json")
    records = []
    for index, body in enumerate(bodies):
        record = copy.deepcopy(sample)
        record["messageId"] = f"msg-{index}"
        record["body"] = body
        records.append(record)
    return {"Records": records}


def stream_event(*feedback_ids: str) -> dict[str, Any]:
    """A FeedbackTable stream event like events/dynamodb_feedback_insert.json, one INSERT per id."""
    sample = _sample("dynamodb_feedback_insert.json")
    records = []
    for index, feedback_id in enumerate(feedback_ids):
        record = copy.deepcopy(sample)
        record["eventID"] = f"event-{index}"
        record["dynamodb"]["SequenceNumber"] = f"{100 + index}"
        record["dynamodb"]["Keys"]["id"]["S"] = feedback_id
        record["dynamodb"]["NewImage"]["id"]["S"] = feedback_id
        record["dynamodb"]["NewImage"]["text"]["S"] = CUSTOMER_TEXT
        records.append(record)
    return {"Records": records}


def context() -> LambdaContextStub:
    return LambdaContextStub(function_name="StepFunction", aws_request_id=str(uuid.uuid4()))


def route(message: CustomerNote, service: Service) -> dict[str, Any]:
    return service.handle(message.feedback_id)


def count(record: DynamoDBRecord, service: Service) -> dict[str, Any]:
    assert record.dynamodb is not None
    return service.handle(record.dynamodb.new_image["id"])


def new_logger() -> tuple[Logger, Metrics]:
    # A fresh service name: Powertools keeps one handler per name, bound to the stdout of its first test.
    return Logger(service=f"step-{uuid.uuid4().hex[:8]}"), Metrics(namespace="otklik-test")


def sqs(builds: Builds) -> BatchStep[Service]:
    logger, metrics = new_logger()
    return sqs_step(route, CustomerNote, builds, logger=logger, metrics=metrics, done="routed")


def stream(builds: Builds) -> BatchStep[Service]:
    logger, metrics = new_logger()
    return stream_step(count, builds, logger=logger, metrics=metrics, done="counted")


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def failed_count(lines: list[dict[str, Any]]) -> float:
    """RecordsFailed as the EMF documents on stdout report it (CloudWatch reads these, not the logs)."""
    total = 0.0
    for line in lines:
        declared = [
            m["Name"] for d in line.get("_aws", {}).get("CloudWatchMetrics", []) for m in d["Metrics"]
        ]
        if "RecordsFailed" in declared:
            total += (
                sum(line["RecordsFailed"])
                if isinstance(line["RecordsFailed"], list)
                else line["RecordsFailed"]
            )
    return total


def test_a_poison_queue_message_fails_alone_and_is_logged_without_its_text(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Given a batch of a good message and a poison one whose body and error both carry customer text
    caplog.set_level(logging.INFO)
    builds = Builds()
    step = sqs(builds)
    event = sqs_event(note("fb_good"), note(POISON_ID))

    # When the step takes it
    answer = step.handler(event, context())

    # Then only the poison message is reported failed, so SQS retries it alone
    assert answer == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert builds.services[0].handled == ["fb_good"]
    # And its failure is logged by message id, error class and where it was raised
    output = capsys.readouterr().out
    lines = json_lines(output)
    [failure] = [line for line in lines if line.get("message") == "record failed"]
    assert failure["record_id"] == "msg-1"
    assert failure["error"] == "LookupError"
    assert failure["raised_at"].startswith("test_batch_step.py:handle:")
    # And counted in RecordsFailed
    assert failed_count(lines) == 1
    # And nothing of the customer's text appears anywhere: not the body, not the error's message
    assert CUSTOMER_TEXT not in output
    assert CUSTOMER_TEXT not in json.dumps(lines, ensure_ascii=False)
    assert "no such item" not in output
    assert CUSTOMER_TEXT not in caplog.text


def test_an_undecodable_queue_message_fails_alone_without_its_body_in_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a body that is not the step's message at all (pydantic would quote it in its error)
    step = sqs(Builds())
    event = sqs_event(note("fb_good"), json.dumps({"text": CUSTOMER_TEXT}, ensure_ascii=False))

    answer = step.handler(event, context())

    assert answer == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    output = capsys.readouterr().out
    [failure] = [line for line in json_lines(output) if line.get("message") == "record failed"]
    assert failure["record_id"] == "msg-1"
    assert failure["error"] == "MalformedMessage"
    assert CUSTOMER_TEXT not in output


def test_a_good_batch_answers_no_failures_and_counts_none(capsys: pytest.CaptureFixture[str]) -> None:
    builds = Builds()
    step = sqs(builds)

    answer = step.handler(sqs_event(note("fb_a"), note("fb_b")), context())

    assert answer == {"batchItemFailures": []}
    assert builds.services[0].handled == ["fb_a", "fb_b"]
    lines = json_lines(capsys.readouterr().out)
    assert [line for line in lines if line.get("message") == "record failed"] == []
    assert failed_count(lines) == 0


def test_the_service_is_built_once_and_kept_across_invocations() -> None:
    # Given a step in a warm container
    builds = Builds()
    step = sqs(builds)

    # When it is invoked twice
    first, second = context(), context()
    step.handler(sqs_event(note("fb_a")), first)
    step.handler(sqs_event(note("fb_b")), second)

    # Then its service was built once and served both invocations, each bound to its own context
    assert len(builds.services) == 1
    assert builds.services[0].handled == ["fb_a", "fb_b"]
    assert builds.services[0].contexts == [first.aws_request_id, second.aws_request_id]


def test_a_poison_stream_record_fails_alone_by_sequence_number_and_is_logged_by_event_id(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Given a stream batch of a good item and a poison one, both carrying customer text in their images
    caplog.set_level(logging.INFO)
    builds = Builds()
    step = stream(builds)

    # When the step takes it, twice (a warm container)
    answer = step.handler(stream_event("fb_good", POISON_ID), context())
    again = step.handler(stream_event("fb_other"), context())

    # Then the poison record is the only failure, named by its sequence number as Lambda expects
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert again == {"batchItemFailures": []}
    assert len(builds.services) == 1
    assert builds.services[0].handled == ["fb_good", "fb_other"]
    # And its failure is logged by event id, error class and place, counted, and quotes nothing
    output = capsys.readouterr().out
    lines = json_lines(output)
    [failure] = [line for line in lines if line.get("message") == "record failed"]
    assert (failure["record_id"], failure["error"]) == ("event-1", "LookupError")
    assert failure["raised_at"].startswith("test_batch_step.py:handle:")
    assert failed_count(lines) == 1
    assert CUSTOMER_TEXT not in output
    assert CUSTOMER_TEXT not in caplog.text


def test_not_even_powertools_debug_logging_quotes_a_failed_records_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given every logger at DEBUG, Powertools' own included (what POWERTOOLS_DEBUG=true turns on)
    caplog.set_level(logging.DEBUG)
    step = sqs(Builds())

    # When a record fails with an error that quotes the customer
    step.handler(sqs_event(note(POISON_ID)), context())

    # Then no log record, at any level, carries that text
    assert CUSTOMER_TEXT not in caplog.text
