"""Integration tier: handlers invoked on moto, with tables and queues built from template.yaml itself."""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.resources import LocalResources, create_resources
from infra.local.seed import CONFIG_KEY, SAMPLE_CONFIG
from infra.local.template import Template, load_template
from otklik.adapters.aws import forget_clients

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
SECRETS = {
    "/otklik/test/webhooks/custom/secret": "local-dev-secret",
    "/otklik/test/ops/token": "test-token",
}


@dataclass
class LambdaContextStub:
    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/test"
    log_stream_name: str = "test"
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class Stack:
    """template.yaml's resources on moto, and its functions callable with their template environment."""

    def __init__(
        self, template: Template, resources: LocalResources, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.template = template
        self.resources = resources
        self._monkeypatch = monkeypatch
        self.session = boto3.Session(region_name=REGION)
        self.sqs = self.session.client("sqs")
        self.dynamodb = self.session.client("dynamodb")
        self.ssm = self.session.client("ssm")
        self._modules: dict[str, ModuleType] = {}

    def handler_module(self, logical_id: str) -> ModuleType:
        if logical_id not in self._modules:
            function = next(f for f in self.template.functions() if f.logical_id == logical_id)
            module_name, _, _ = function.handler.rpartition(".")
            path = ROOT / function.code_uri / f"{module_name}.py"
            spec = importlib.util.spec_from_file_location(f"fn_{logical_id}", path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._modules[logical_id] = module
        return self._modules[logical_id]

    def restart(self, logical_id: str) -> None:
        """The function's next invoke is a cold start: a new container, its caches (configuration, models)
        empty, as after a deploy or once a warm one has been idle."""
        self._modules.pop(logical_id, None)

    def use_environment(self, logical_id: str) -> None:
        """Set the environment template.yaml gives the function (until the test ends)."""
        for name, value in self.template.function_environment(logical_id, self.resources).items():
            self._monkeypatch.setenv(name, value)

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        """Call the function's handler with the environment template.yaml gives it."""
        self.use_environment(logical_id)
        function = next(f for f in self.template.functions() if f.logical_id == logical_id)
        handler = getattr(self.handler_module(logical_id), function.handler.rpartition(".")[2])
        return handler(event, LambdaContextStub(function_name=logical_id, aws_request_id=str(uuid.uuid4())))

    def put_config(self, document: str | bytes) -> None:
        """Make document the configuration in force (a new version of the stack's ConfigBucket object)."""
        body = document.encode("utf-8") if isinstance(document, str) else document
        self.session.client("s3").put_object(Bucket=self.table("ConfigBucket"), Key=CONFIG_KEY, Body=body)

    def queue_url(self, logical_id: str) -> str:
        return self.resources.queue_url(logical_id)

    def table(self, logical_id: str) -> str:
        return self.resources.physical_id(logical_id)

    def receive(self, queue: str, max_messages: int = 10) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url(queue),
            MaxNumberOfMessages=max_messages,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        return list(answer.get("Messages", []))

    def sqs_event(self, queue: str, bodies: list[str] | None = None) -> dict[str, Any]:
        """An SQS event as Lambda builds it, from the given bodies or from what the queue holds."""
        if bodies is None:
            bodies = [m["Body"] for m in self.receive(queue)]
        arn = self.resources.arn(queue)
        return {
            "Records": [
                {
                    "messageId": str(uuid.uuid4()),
                    "receiptHandle": f"handle-{i}",
                    "body": body,
                    "attributes": {
                        "ApproximateReceiveCount": "1",
                        "SentTimestamp": "1795329663000",
                        "SenderId": "AIDAEXAMPLE",
                        "ApproximateFirstReceiveTimestamp": "1795329663100",
                    },
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": REGION,
                }
                for i, body in enumerate(bodies)
            ]
        }

    def stream_event(self, table: str = "FeedbackTable") -> dict[str, Any]:
        """Every record the table's stream holds, as the DynamoDB event Lambda would get."""
        # Named explicitly: with botocore's own endpoint resolution moto's in-process router answers
        # "Not yet implemented" to DynamoDB Streams calls (moto 5.2 with botocore 1.43).
        streams = self.session.client(
            "dynamodbstreams", endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com"
        )
        arn = self.resources.stream_arn(table)
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            for record in streams.get_records(ShardIterator=iterator)["Records"]:
                record["eventSourceARN"] = arn
                record["dynamodb"]["ApproximateCreationDateTime"] = 1795329663
                records.append(record)
        return {"Records": json.loads(json.dumps(records, default=str))}


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    with mock_aws():
        forget_clients()
        template = load_template(ROOT / "template.yaml", {"Stage": "test"})
        resources = create_resources(template, boto3.Session(region_name=REGION), None)
        built = Stack(template, resources, monkeypatch)
        for name, value in SECRETS.items():
            built.ssm.put_parameter(Name=name, Value=value, Type="SecureString")
        built.put_config(SAMPLE_CONFIG.read_bytes())
        yield built
    forget_clients()
