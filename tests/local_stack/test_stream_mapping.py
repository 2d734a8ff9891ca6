"""DynamoDB stream mapping: records with images, retries from the failed record, on-failure destination."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.local.stack import LocalStack
from tests.local_stack.conftest import Ledger

pytestmark = pytest.mark.integration


def put(stack: LocalStack, item: dict[str, Any]) -> None:
    table = (
        stack.session()
        .resource("dynamodb", endpoint_url=stack.aws_url)
        .Table(stack.resources.physical_id("ItemsTable"))
    )
    table.put_item(Item=item)


def put_batch(stack: LocalStack, items: list[dict[str, Any]]) -> None:
    table = (
        stack.session()
        .resource("dynamodb", endpoint_url=stack.aws_url)
        .Table(stack.resources.physical_id("ItemsTable"))
    )
    with table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


def on_failure_documents(stack: LocalStack) -> list[dict[str, Any]]:
    messages = stack.client("sqs").receive_message(
        QueueUrl=stack.resources.queue_url("StreamFailures"), MaxNumberOfMessages=10
    )
    return [json.loads(message["Body"]) for message in messages.get("Messages", [])]


def test_inserts_and_modifications_arrive_with_their_images(
    stack: LocalStack, ledger: Ledger, unique: str
) -> None:
    # Given an item written and then changed (the table's stream keeps new and old images)
    put(stack, {"id": unique, "count": 1})
    put(stack, {"id": unique, "count": 2})

    # When the stream mapping has caught up
    stack.wait_idle(timeout=20)

    # Then the function got an INSERT with the new image and a MODIFY with both
    (insert,) = ledger.deliveries(f"stream#{unique}#INSERT")
    (modify,) = ledger.deliveries(f"stream#{unique}#MODIFY")
    inserted, modified = insert["record"], modify["record"]
    assert inserted["eventName"] == "INSERT"
    assert inserted["eventSource"] == "aws:dynamodb"
    assert inserted["eventSourceARN"] == stack.resources.stream_arn("ItemsTable")
    assert inserted["awsRegion"] == "us-east-1"
    assert inserted["dynamodb"]["Keys"] == {"id": {"S": unique}}
    assert inserted["dynamodb"]["NewImage"] == {"id": {"S": unique}, "count": {"N": "1"}}
    assert "OldImage" not in inserted["dynamodb"]
    assert inserted["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(inserted["dynamodb"]["ApproximateCreationDateTime"], int)
    assert modified["dynamodb"]["OldImage"] == {"id": {"S": unique}, "count": {"N": "1"}}
    assert modified["dynamodb"]["NewImage"] == {"id": {"S": unique}, "count": {"N": "2"}}
    assert int(modified["dynamodb"]["SequenceNumber"]) > int(inserted["dynamodb"]["SequenceNumber"])


def test_a_failed_record_is_retried_from_its_sequence_number(
    stack: LocalStack, ledger: Ledger, unique: str
) -> None:
    # Given three items where the second fails on its first delivery
    put_batch(stack, [{"id": f"{unique}-1"}, {"id": f"{unique}-2", "fail": "once"}, {"id": f"{unique}-3"}])

    # When the stream mapping has caught up
    stack.wait_idle(timeout=20)

    # Then the record before the failure was not delivered again
    assert len(ledger.deliveries(f"stream#{unique}-1#INSERT")) == 1
    # And the retry started at the failed record's sequence number
    first, retry = ledger.deliveries(f"stream#{unique}-2#INSERT")
    failed_sequence = first["record"]["dynamodb"]["SequenceNumber"]
    assert retry["record"]["dynamodb"]["SequenceNumber"] == failed_sequence
    assert retry["batch_first_sequence"] == failed_sequence
    # And the record after it was delivered after the retry
    assert ledger.deliveries(f"stream#{unique}-3#INSERT")[-1]["batch_first_sequence"] == failed_sequence


def test_after_its_retries_a_failing_batch_is_described_on_the_on_failure_queue_and_the_stream_moves_on(
    stack: LocalStack, ledger: Ledger, unique: str
) -> None:
    # Given an item that always fails (MaximumRetryAttempts is 2, OnFailure is the StreamFailures queue)
    put(stack, {"id": f"{unique}-poison", "fail": "always"})
    stack.wait_idle(timeout=20)

    # When another item is written after it
    put(stack, {"id": f"{unique}-after"})
    stack.wait_idle(timeout=20)

    # Then the poison was delivered 1 + MaximumRetryAttempts times
    attempts = ledger.deliveries(f"stream#{unique}-poison#INSERT")
    assert len(attempts) == 3
    # And the on-failure record describes its batch as Lambda describes it
    sequence = attempts[0]["record"]["dynamodb"]["SequenceNumber"]
    documents = [
        d for d in on_failure_documents(stack) if d["DDBStreamBatchInfo"]["startSequenceNumber"] == sequence
    ]
    assert len(documents) == 1
    document = documents[0]
    assert document["version"] == "1.0"
    assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert document["requestContext"]["approximateInvokeCount"] == 3
    assert document["requestContext"]["functionArn"] == stack.resources.arn("StreamFunction")
    assert document["responseContext"]["statusCode"] == 200
    info = document["DDBStreamBatchInfo"]
    assert info["streamArn"] == stack.resources.stream_arn("ItemsTable")
    assert info["endSequenceNumber"] == sequence
    assert info["batchSize"] == 1
    assert info["shardId"]
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")
    # And the stream went on to the next item
    assert len(ledger.deliveries(f"stream#{unique}-after#INSERT")) == 1
