"""SQS event source mapping: batches, deletes, partial batch failures and redrive to the DLQ."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import pytest

from infra.local.stack import LocalStack
from tests.local_stack.conftest import Ledger

pytestmark = pytest.mark.integration


def send(stack: LocalStack, *bodies: Mapping[str, object]) -> None:
    entries = [{"Id": str(index), "MessageBody": json.dumps(body)} for index, body in enumerate(bodies)]
    stack.client("sqs").send_message_batch(QueueUrl=stack.resources.queue_url("WorkQueue"), Entries=entries)


def queue_counts(stack: LocalStack, logical_id: str) -> tuple[int, int]:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.resources.queue_url(logical_id),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def dead_letters(stack: LocalStack) -> list[str]:
    messages = stack.client("sqs").receive_message(
        QueueUrl=stack.resources.queue_url("WorkDLQ"), MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [message["Body"] for message in messages.get("Messages", [])]


def test_a_successful_batch_is_delivered_once_and_deleted(
    stack: LocalStack, ledger: Ledger, unique: str
) -> None:
    # Given three good messages on the queue
    send(stack, *({"id": f"{unique}-{n}"} for n in range(3)))

    # When the mapping has delivered them
    stack.wait_idle(timeout=20)

    # Then each reached the function once and none is left in the queue
    for n in range(3):
        assert [d["sk"] for d in ledger.deliveries(f"sqs#{unique}-{n}")] == ["1"]
    assert queue_counts(stack, "WorkQueue") == (0, 0)


def test_the_record_has_the_shape_lambda_gives_it(stack: LocalStack, ledger: Ledger, unique: str) -> None:
    # Given a message with a message attribute
    body = json.dumps({"id": unique})
    stack.client("sqs").send_message(
        QueueUrl=stack.resources.queue_url("WorkQueue"),
        MessageBody=body,
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "review"}},
    )

    # When it has been delivered
    stack.wait_idle(timeout=20)

    # Then the record is the one Lambda builds
    (delivery,) = ledger.deliveries(f"sqs#{unique}")
    record = delivery["record"]
    assert record["body"] == body
    assert record["md5OfBody"] == hashlib.md5(body.encode()).hexdigest()
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == stack.resources.arn("WorkQueue")
    assert record["awsRegion"] == "us-east-1"
    assert record["messageId"] and record["receiptHandle"]
    assert {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    } <= set(record["attributes"])
    assert record["messageAttributes"] == {
        "kind": {
            "stringValue": "review",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        }
    }


def test_a_partial_batch_failure_redelivers_only_the_failed_message(
    stack: LocalStack, ledger: Ledger, unique: str
) -> None:
    # Given a batch where one message fails on its first delivery
    send(stack, {"id": f"{unique}-a"}, {"id": f"{unique}-b", "fail": "once"}, {"id": f"{unique}-c"})

    # When the mapping is done with them
    stack.wait_idle(timeout=20)

    # Then only the failed one came back, and then succeeded
    assert [d["sk"] for d in ledger.deliveries(f"sqs#{unique}-a")] == ["1"]
    assert [d["sk"] for d in ledger.deliveries(f"sqs#{unique}-b")] == ["1", "2"]
    assert [d["sk"] for d in ledger.deliveries(f"sqs#{unique}-c")] == ["1"]
    assert queue_counts(stack, "WorkQueue") == (0, 0)


def test_a_poison_message_lands_in_the_dlq_after_max_receive_count_while_the_rest_succeed(
    stack: LocalStack, ledger: Ledger, unique: str
) -> None:
    # Given a poison message (always fails) among good ones; WorkQueue's RedrivePolicy has maxReceiveCount 3
    send(
        stack,
        {"id": f"{unique}-good"},
        {"id": f"{unique}-poison", "fail": "always"},
        {"id": f"{unique}-fine"},
    )

    # When the mapping is done
    stack.wait_idle(timeout=20)

    # Then the poison was tried maxReceiveCount times and then moved to the DLQ by the queue's redrive policy
    assert [d["sk"] for d in ledger.deliveries(f"sqs#{unique}-poison")] == ["1", "2", "3"]
    assert json.dumps({"id": f"{unique}-poison", "fail": "always"}) in dead_letters(stack)
    # And the good messages of the same batch were delivered once each
    assert [d["sk"] for d in ledger.deliveries(f"sqs#{unique}-good")] == ["1"]
    assert [d["sk"] for d in ledger.deliveries(f"sqs#{unique}-fine")] == ["1"]
    assert queue_counts(stack, "WorkQueue") == (0, 0)
