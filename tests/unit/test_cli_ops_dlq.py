"""`otklik dlq`'s parts that need no SQS: which AWS settings point it at the local stack, what it shows of a
message (ids only, never customer text), and how it finds a queue by its logical name."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.stub import Stubber

from otklik.adapters.aws import forget_clients
from otklik.entrypoints.cli import build_parser
from otklik.entrypoints.cli_api import CommandError
from otklik.entrypoints.cli_dlq import Queues, describe_body, local_settings, run


def test_local_points_aws_at_the_local_stacks_moto_with_test_keys() -> None:
    assert local_settings(True, "IngestDLQ", {}) == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }


def test_a_loopback_queue_url_points_aws_at_its_own_port_and_settings_already_made_are_kept() -> None:
    added = local_settings(
        False,
        "http://localhost:4599/123456789012/otklik-local-IngestDLQ",
        {"AWS_DEFAULT_REGION": "eu-west-1"},
    )

    assert added["AWS_ENDPOINT_URL"] == "http://localhost:4599"
    assert "AWS_REGION" not in added
    assert (
        local_settings(True, "IngestDLQ", {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).get(
            "AWS_ENDPOINT_URL"
        )
        is None
    )


def test_a_queue_on_aws_changes_no_settings() -> None:
    assert local_settings(False, "https://sqs.eu-central-1.amazonaws.com/1/otklik-IngestDLQ-X", {}) == {}
    assert local_settings(False, "IngestDLQ", {}) == {}


CUSTOMER = {"name": "Анна Петрова", "email": "anna.petrova@example.ru", "phone": "+7 912 345-67-89"}


@pytest.mark.parametrize(
    ("body", "kind", "ids"),
    [
        (
            {
                "feedback_id": "fb_1",
                "source": "custom",
                "account": "default",
                "kind": "review",
                "external_id": "site-10234",
                "text": "Ужасное качество, пишите anna.petrova@example.ru",
                "author": CUSTOMER,
                "created_at": "2026-11-22T06:41:00Z",
            },
            "feedback",
            {
                "feedback_id": "fb_1",
                "source": "custom",
                "account": "default",
                "kind": "review",
                "external_id": "site-10234",
                "created_at": "2026-11-22T06:41:00Z",
            },
        ),
        ({"feedback_id": "fb_2"}, "route", {"feedback_id": "fb_2"}),
        (
            {
                "notification": {
                    "id": "nt_1",
                    "ticket_id": "tk_1",
                    "event": "ticket_opened",
                    "title": "Новый тикет",
                    "text": "Анна Петрова: Ужасное качество",
                    "ticket": {"excerpt": "Ужасное качество"},
                },
                "attempt": 3,
            },
            "notification",
            {
                "notification.id": "nt_1",
                "notification.ticket_id": "tk_1",
                "notification.event": "ticket_opened",
                "attempt": 3,
            },
        ),
        (
            {
                "connection": "ym-1",
                "kind": "review",
                "ids": {"review_id": "777"},
                "notified_at": "2026-11-22T06:41:00Z",
            },
            "fetch",
            {
                "connection": "ym-1",
                "kind": "review",
                "ids.review_id": "777",
                "notified_at": "2026-11-22T06:41:00Z",
            },
        ),
        (
            {
                "reply": {
                    "reply_id": "rp_1",
                    "ticket_id": "tk_1",
                    "feedback_id": "fb_1",
                    "text": "Вернём деньги",
                    "approved_by": "Анна Петрова",
                },
                "status": 400,
                "reason": "текст содержит +7 912 345-67-89",
                "rejected_at": "2026-11-22T07:00:00Z",
            },
            "rejected_reply",
            {
                "reply.reply_id": "rp_1",
                "reply.ticket_id": "tk_1",
                "reply.feedback_id": "fb_1",
                "status": 400,
                "rejected_at": "2026-11-22T07:00:00Z",
            },
        ),
        (
            {
                "reply_id": "rp_2",
                "ticket_id": "tk_2",
                "text": "Спасибо",
                "approved_by": "anna",
                "marketplace": "wildberries",
            },
            "reply",
            {"reply_id": "rp_2", "ticket_id": "tk_2", "marketplace": "wildberries"},
        ),
        (
            {
                "requestContext": {
                    "functionArn": "arn:aws:lambda:us-east-1:1:function:sweep",
                    "condition": "RetriesExhausted",
                    "approximateInvokeCount": 3,
                },
                "responsePayload": {"errorType": "KeyError", "errorMessage": "anna.petrova@example.ru"},
            },
            "function_failure",
            {
                "requestContext.functionArn": "arn:aws:lambda:us-east-1:1:function:sweep",
                "requestContext.condition": "RetriesExhausted",
                "requestContext.approximateInvokeCount": 3,
                "responsePayload.errorType": "KeyError",
            },
        ),
        (
            {
                "DDBStreamBatchInfo": {"shardId": "shard-1", "batchSize": 4},
                "requestContext": {"condition": "RetryAttemptsExhausted"},
            },
            "stream_batch",
            {
                "DDBStreamBatchInfo.shardId": "shard-1",
                "DDBStreamBatchInfo.batchSize": 4,
                "requestContext.condition": "RetryAttemptsExhausted",
            },
        ),
    ],
)
def test_a_message_shows_its_type_and_ids_and_nothing_else(
    body: dict[str, object], kind: str, ids: dict[str, object]
) -> None:
    assert describe_body(json.dumps(body, ensure_ascii=False)) == (kind, ids)


def test_an_id_field_holding_prose_or_an_email_is_not_shown() -> None:
    kind, ids = describe_body(
        json.dumps({"feedback_id": "fb_1", "source": "custom", "external_id": "anna.petrova@example.ru"})
    )
    _, spaced = describe_body(json.dumps({"feedback_id": "Анна Петрова написала"}))

    assert (kind, ids) == ("feedback", {"feedback_id": "fb_1", "source": "custom"})
    assert spaced == {}


def test_a_body_that_is_not_a_json_object_is_unreadable_and_shows_nothing() -> None:
    assert describe_body("Ужасное качество, anna.petrova@example.ru") == ("unreadable", {})
    assert describe_body('["fb_1"]') == ("unreadable", {})


def _sqs_listing(urls: list[str]) -> Stubber:
    sqs = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubbed = Stubber(sqs)
    stubbed.add_response("list_queues", {"QueueUrls": urls}, {"MaxResults": 1000})
    return stubbed


def test_a_logical_name_is_the_one_queue_holding_it_between_dashes() -> None:
    base = "https://sqs.us-east-1.amazonaws.com/1/"
    stubbed = _sqs_listing(
        [f"{base}otklik-local-IngestQueue", f"{base}otklik-local-IngestDLQ", f"{base}x-IngestDLQ2"]
    )
    with stubbed:
        found = Queues(stubbed.client, lambda: None).url("IngestDLQ")

    assert found == f"{base}otklik-local-IngestDLQ"


def test_a_logical_name_of_no_queue_or_of_two_is_refused_naming_the_way_out() -> None:
    base = "https://sqs.us-east-1.amazonaws.com/1/"
    with _sqs_listing([f"{base}otklik-local-RouteDLQ"]) as sqs, pytest.raises(CommandError) as none:
        Queues(sqs.client, lambda: None).url("IngestDLQ")
    with (
        _sqs_listing([f"{base}prod-IngestDLQ-A1", f"{base}test-IngestDLQ-B2"]) as sqs,
        pytest.raises(CommandError) as two,
    ):
        Queues(sqs.client, lambda: None).url("IngestDLQ")

    assert "no queue here is named like IngestDLQ" in none.value.message
    assert (
        two.value.message
        == "IngestDLQ names 2 queues (prod-IngestDLQ-A1, test-IngestDLQ-B2); give --stack NAME or the URL"
    )


def test_with_a_stack_a_logical_name_is_that_stacks_resource() -> None:
    cloudformation = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    url = "https://sqs.us-east-1.amazonaws.com/1/otklik-prod-IngestDLQ-ABC"
    with Stubber(cloudformation) as stubbed:
        stubbed.add_response(
            "describe_stack_resource",
            {
                "StackResourceDetail": {
                    "LogicalResourceId": "IngestDLQ",
                    "PhysicalResourceId": url,
                    "ResourceType": "AWS::SQS::Queue",
                    "LastUpdatedTimestamp": "2026-11-22T00:00:00Z",
                    "ResourceStatus": "CREATE_COMPLETE",
                }
            },
            {"StackName": "otklik-prod", "LogicalResourceId": "IngestDLQ"},
        )
        stubbed.add_client_error(
            "describe_stack_resource", "ValidationError", "Resource Nope does not exist for stack otklik-prod"
        )

        assert Queues(None, lambda: cloudformation, "otklik-prod").url("IngestDLQ") == url
        with pytest.raises(CommandError) as missing:
            Queues(None, lambda: cloudformation, "otklik-prod").url("Nope")

    assert missing.value.message == "stack otklik-prod: Resource Nope does not exist for stack otklik-prod"


def test_an_sqs_that_cannot_be_reached_is_one_line_naming_the_local_stack(
    loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    forget_clients()
    out, err = io.StringIO(), io.StringIO()
    try:
        code = run(
            build_parser().parse_args(["dlq", "list", "IngestDLQ", "--local"]), io.StringIO(), out, err
        )
    finally:
        forget_clients()

    assert (code, out.getvalue()) == (2, "")
    assert err.getvalue().startswith(
        'otklik: SQS: Could not connect to the endpoint URL: "http://127.0.0.1:9/"'
    )
    assert err.getvalue().endswith("(is the local stack running? `make run`)\n")
    assert err.getvalue().count("\n") == 1
