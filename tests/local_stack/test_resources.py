"""create_resources on moto's in-process mock: the template's own definitions become tables and queues."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra.local.resources import create_resources
from infra.local.template import load_template
from tests.local_stack.paths import FIXTURE_TEMPLATE, PROJECT_TEMPLATE

pytestmark = pytest.mark.integration


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def test_tables_queues_and_buckets_are_built_from_the_template(session: boto3.Session) -> None:
    # Given the fixture template (default Mode: LoudTopic's condition is false)
    template = load_template(FIXTURE_TEMPLATE, stack_name="unit")

    # When its resources are created inside mock_aws()
    resources = create_resources(template, session, None)

    # Then the table has its key schema, index, stream and TTL
    dynamodb = session.client("dynamodb")
    table = dynamodb.describe_table(TableName="unit-ItemsTable")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["by_kind"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert resources.stream_arn("ItemsTable") == table["LatestStreamArn"]
    ttl = dynamodb.describe_time_to_live(TableName="unit-ItemsTable")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    # And the queue's redrive policy points at its dead-letter queue's ARN
    sqs = session.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=resources.queue_url("WorkQueue"), AttributeNames=["All"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": resources.arn("WorkDLQ"), "maxReceiveCount": 3}
    assert attributes["Attributes"]["VisibilityTimeout"] == "60"
    # And the bucket exists, the conditional topic does not
    assert resources.physical_id("ReportsBucket") in [
        b["Name"] for b in session.client("s3").list_buckets()["Buckets"]
    ]
    assert session.client("sns").list_topics()["Topics"] == []
    # And functions' environments resolve to those resources
    environment = template.function_environment("HttpFunction", resources)
    assert environment["WORK_QUEUE_URL"] == resources.queue_url("WorkQueue")
    assert environment["WORK_QUEUE_ARN"] == resources.arn("WorkQueue")
    assert environment["LEDGER_TABLE"] == "unit-LedgerTable"


def test_the_project_template_builds_on_moto_for_handler_tests(session: boto3.Session) -> None:
    # Given the project's template, loaded as integration tests load it
    template = load_template(Path(PROJECT_TEMPLATE), {"Stage": "test"})

    # When its resources are created inside mock_aws()
    resources = create_resources(template, session, None)

    # Then every table a function is configured with exists, and every queue URL answers
    dynamodb, sqs = session.client("dynamodb"), session.client("sqs")
    tables = set(dynamodb.list_tables()["TableNames"])
    for spec in template.functions():
        for name, value in template.function_environment(spec.logical_id, resources).items():
            if name.endswith("_TABLE"):
                assert value in tables, (spec.logical_id, name)
            if name.endswith("_QUEUE_URL"):
                assert sqs.get_queue_attributes(QueueUrl=value, AttributeNames=["QueueArn"])["Attributes"]


def test_the_project_templates_alarm_topic_key_log_groups_and_dead_letter_retention_on_moto(
    session: boto3.Session,
) -> None:
    # Given the project's template, with its KMS key, log groups, alarms and explicit function names
    template = load_template(Path(PROJECT_TEMPLATE), {"Stage": "test"})

    # When its resources are created inside mock_aws()
    resources = create_resources(template, session, None)

    # Then functions keep the local names otklik-local-<LogicalId>, now from their FunctionName
    assert resources.physical_id("ScoreFeedbackFunction") == "otklik-local-ScoreFeedbackFunction"
    # And the key, log groups and alarms are only named; the topic is created with its key's local name
    assert not any(
        record.created
        for record in resources.of_type("AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm")
    )
    topic = session.client("sns").get_topic_attributes(TopicArn=resources.arn("AlarmTopic"))["Attributes"]
    assert topic["KmsMasterKeyId"] == resources.physical_id("AlarmTopicKey")
    # And a queue keeps a message 4 days, its dead-letter queue (and the schedules') 14
    sqs = session.client("sqs")

    def retention(queue: str) -> int:
        attributes = sqs.get_queue_attributes(
            QueueUrl=resources.queue_url(queue), AttributeNames=["MessageRetentionPeriod"]
        )["Attributes"]
        return int(attributes["MessageRetentionPeriod"])

    assert retention("IngestQueue") == 4 * 24 * 3600
    assert retention("IngestDLQ") == retention("SchedulesDLQ") == 14 * 24 * 3600
