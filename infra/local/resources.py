"""The template's tables, queues, topics, buckets and parameters on moto, with their names and ARNs."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.local.template import (
    SERVERLESS_FUNCTION,
    Template,
    TemplateError,
    implicit_resources,
    scalar_string,
)

logger = logging.getLogger(__name__)

DYNAMODB_TABLE = "AWS::DynamoDB::Table"
SIMPLE_TABLE = "AWS::Serverless::SimpleTable"
SQS_QUEUE = "AWS::SQS::Queue"
SNS_TOPIC = "AWS::SNS::Topic"
SNS_SUBSCRIPTION = "AWS::SNS::Subscription"
S3_BUCKET = "AWS::S3::Bucket"
SSM_PARAMETER = "AWS::SSM::Parameter"
SERVERLESS_API = "AWS::Serverless::Api"
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
FUNCTION_TYPES = (SERVERLESS_FUNCTION, "AWS::Lambda::Function")

# What create_resources builds on moto; everything else only gets a name and an ARN.
CREATED_TYPES = (
    DYNAMODB_TABLE,
    SIMPLE_TABLE,
    SQS_QUEUE,
    SNS_TOPIC,
    SNS_SUBSCRIPTION,
    S3_BUCKET,
    SSM_PARAMETER,
)

_NAME_PROPERTY = {
    DYNAMODB_TABLE: "TableName",
    SIMPLE_TABLE: "TableName",
    SQS_QUEUE: "QueueName",
    SNS_TOPIC: "TopicName",
    S3_BUCKET: "BucketName",
    SSM_PARAMETER: "Name",
    SERVERLESS_FUNCTION: "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::CloudWatch::Alarm": "AlarmName",
}

_NAME_LIMIT = {SQS_QUEUE: 80, S3_BUCKET: 63, SERVERLESS_FUNCTION: 64, "AWS::IAM::Role": 64, SNS_TOPIC: 256}


@dataclass(frozen=True)
class PhysicalResource:
    """One resource as it exists locally: its physical name and, where it has them, ARN, URL, stream."""

    logical_id: str
    type: str
    physical_id: str
    arn: str | None = None
    url: str | None = None
    stream_arn: str | None = None
    created: bool = False

    def describe(self) -> dict[str, str]:
        fields = {"type": self.type, "physical_id": self.physical_id}
        fields.update({key: value for key, value in (("arn", self.arn), ("url", self.url)) if value})
        if self.stream_arn:
            fields["stream_arn"] = self.stream_arn
        return fields


class LocalResources:
    """Physical names, ARNs and URLs of a template's resources; what `Template.resolve` resolves against."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self._records: dict[str, PhysicalResource] = {}

    def add(self, record: PhysicalResource) -> None:
        self._records[record.logical_id] = record

    def __iter__(self) -> Iterator[PhysicalResource]:
        return iter(self._records.values())

    def __contains__(self, logical_id: object) -> bool:
        return logical_id in self._records

    def record(self, logical_id: str) -> PhysicalResource:
        try:
            return self._records[logical_id]
        except KeyError:
            raise TemplateError(f"no local resource {logical_id}") from None

    def physical_id(self, logical_id: str) -> str:
        return self.record(logical_id).physical_id

    def queue_url(self, logical_id: str) -> str:
        record = self.record(logical_id)
        if record.url is None:
            raise TemplateError(f"{logical_id} is a {record.type}, not a queue")
        return record.url

    def arn(self, logical_id: str) -> str:
        record = self.record(logical_id)
        if record.arn is None:
            raise TemplateError(f"{logical_id} ({record.type}) has no ARN locally")
        return record.arn

    def stream_arn(self, logical_id: str) -> str:
        record = self.record(logical_id)
        if record.stream_arn is None:
            raise TemplateError(f"{logical_id} has no stream (no StreamSpecification)")
        return record.stream_arn

    def by_arn(self, arn: str) -> PhysicalResource | None:
        """The resource with this ARN or stream ARN, if the template declares it."""
        for record in self._records.values():
            if arn in (record.arn, record.stream_arn):
                return record
        return None

    def of_type(self, *types: str) -> list[PhysicalResource]:
        return [record for record in self._records.values() if record.type in types]

    # ------------------------------------------------------------ ResourceResolver

    def ref(self, logical_id: str) -> Any:
        record = self.record(logical_id)
        if record.type == SQS_QUEUE:
            return self.queue_url(logical_id)
        if record.type in (SNS_TOPIC, *LAYER_TYPES):
            return self.arn(logical_id)
        return record.physical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        record = self.record(logical_id)
        if attribute == "Arn" and record.arn is not None:
            return record.arn
        value: str | None = None
        if record.type == SQS_QUEUE:
            value = {"QueueName": record.physical_id, "QueueUrl": record.url}.get(attribute)
        elif record.type in (DYNAMODB_TABLE, SIMPLE_TABLE) and attribute == "StreamArn":
            value = self.stream_arn(logical_id)
        elif record.type == S3_BUCKET:
            region = self.template.region
            value = {
                "DomainName": f"{record.physical_id}.s3.amazonaws.com",
                "RegionalDomainName": f"{record.physical_id}.s3.{region}.amazonaws.com",
                "WebsiteURL": f"http://{record.physical_id}.s3-website-{region}.amazonaws.com",
            }.get(attribute)
        elif record.type == SNS_TOPIC:
            value = {"TopicArn": record.arn, "TopicName": record.physical_id}.get(attribute)
        elif record.type == SERVERLESS_API and attribute == "RootResourceId":
            value = _short_id(f"{record.physical_id}/root")
        if value is None:
            raise TemplateError(
                f"Fn::GetAtt {logical_id}.{attribute} ({record.type}) is not supported locally"
            )
        return value

    def describe(self) -> dict[str, dict[str, str]]:
        return {record.logical_id: record.describe() for record in self._records.values()}


# ---------------------------------------------------------------- names and ARNs


def _short_id(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:10]


def _default_name(template: Template, logical_id: str, resource_type: str) -> str:
    name = f"{template.stack_name}-{logical_id}"
    limit = _NAME_LIMIT.get(resource_type)
    if resource_type == S3_BUCKET:
        name = re.sub(r"[^a-z0-9.-]", "-", name.lower())
    if resource_type == SSM_PARAMETER:
        name = f"/{template.stack_name}/{logical_id}"
    return name[:limit] if limit else name


def _physical_name(template: Template, resources: LocalResources, logical_id: str, resource_type: str) -> str:
    if resource_type in (SERVERLESS_API, "AWS::ApiGateway::RestApi"):
        return _short_id(f"{template.stack_name}/{logical_id}")
    name_property = _NAME_PROPERTY.get(resource_type)
    if name_property and logical_id in template.resources:
        given = template.properties(logical_id).get(name_property)
        if given is not None:
            return scalar_string(template.resolve(given, resources))
    name = _default_name(template, logical_id, resource_type)
    if resource_type == SQS_QUEUE and _is_true(template.properties(logical_id).get("FifoQueue")):
        name = name[: 80 - len(".fifo")] + ".fifo"
    return name


def _arn(template: Template, resource_type: str, name: str) -> str | None:
    prefix = f"arn:{template.partition}"
    region, account = template.region, template.account_id
    arns = {
        SQS_QUEUE: f"{prefix}:sqs:{region}:{account}:{name}",
        SNS_TOPIC: f"{prefix}:sns:{region}:{account}:{name}",
        S3_BUCKET: f"{prefix}:s3:::{name}",
        DYNAMODB_TABLE: f"{prefix}:dynamodb:{region}:{account}:table/{name}",
        SIMPLE_TABLE: f"{prefix}:dynamodb:{region}:{account}:table/{name}",
        SSM_PARAMETER: f"{prefix}:ssm:{region}:{account}:parameter/{name.lstrip('/')}",
        SERVERLESS_FUNCTION: f"{prefix}:lambda:{region}:{account}:function:{name}",
        "AWS::Lambda::Function": f"{prefix}:lambda:{region}:{account}:function:{name}",
        "AWS::Serverless::LayerVersion": f"{prefix}:lambda:{region}:{account}:layer:{name}:1",
        "AWS::Lambda::LayerVersion": f"{prefix}:lambda:{region}:{account}:layer:{name}:1",
        "AWS::IAM::Role": f"{prefix}:iam::{account}:role/{name}",
        "AWS::Scheduler::Schedule": f"{prefix}:scheduler:{region}:{account}:schedule/default/{name}",
        "AWS::Events::Rule": f"{prefix}:events:{region}:{account}:rule/{name}",
        "AWS::CloudWatch::Alarm": f"{prefix}:cloudwatch:{region}:{account}:alarm:{name}",
        SERVERLESS_API: f"{prefix}:apigateway:{region}::/restapis/{name}",
        "AWS::ApiGateway::RestApi": f"{prefix}:apigateway:{region}::/restapis/{name}",
    }
    return arns.get(resource_type)


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


# ---------------------------------------------------------------- creation


def create_resources(template: Template, session: boto3.Session, endpoint_url: str | None) -> LocalResources:
    """Create the template's tables, queues, topics, buckets and SSM parameters on moto.

    endpoint_url is the moto server's URL, or None inside moto's in-process ``mock_aws()``.
    Every other resource (functions, APIs, layers, roles...) only gets its local name and ARN.
    """
    resources = LocalResources(template)
    declared = {logical_id: str(resource["Type"]) for logical_id, resource in template.resources.items()}
    declared.update({logical_id: kind for logical_id, kind in implicit_resources(template).items()})
    for logical_id, resource_type in declared.items():
        if resource_type not in CREATED_TYPES:
            name = _physical_name(template, resources, logical_id, resource_type)
            resources.add(
                PhysicalResource(logical_id, resource_type, name, _arn(template, resource_type, name))
            )
    creator = _ResourceCreator(template, resources, session, endpoint_url)
    for logical_id in _creation_order(template):
        creator.create(logical_id)
    return resources


def _creation_order(template: Template) -> list[str]:
    """Created resources, each after those it refers to (a queue after its dead-letter queue)."""
    created = {
        logical_id: resource
        for logical_id, resource in template.resources.items()
        if resource["Type"] in CREATED_TYPES
    }
    order: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in order:
            return
        if logical_id in visiting:
            raise TemplateError(f"circular reference through {logical_id}")
        visiting.add(logical_id)
        resource = created[logical_id]
        depends_on = resource.get("DependsOn") or []
        dependencies = template.references(resource.get("Properties") or {})
        dependencies |= set([depends_on] if isinstance(depends_on, str) else depends_on)
        for dependency in sorted(dependencies & set(created)):
            visit(dependency)
        visiting.discard(logical_id)
        order.append(logical_id)

    for logical_id in created:
        visit(logical_id)
    return order


class _ResourceCreator:
    def __init__(
        self, template: Template, resources: LocalResources, session: boto3.Session, endpoint_url: str | None
    ) -> None:
        self.template = template
        self.resources = resources
        self.session = session
        self.endpoint_url = endpoint_url

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def create(self, logical_id: str) -> None:
        resource_type = self.template.resource_type(logical_id)
        props = self.template.resolve(self.template.properties(logical_id), self.resources) or {}
        name = _physical_name(self.template, self.resources, logical_id, resource_type)
        create = {
            DYNAMODB_TABLE: self._table,
            SIMPLE_TABLE: self._simple_table,
            SQS_QUEUE: self._queue,
            SNS_TOPIC: self._topic,
            SNS_SUBSCRIPTION: self._subscription,
            S3_BUCKET: self._bucket,
            SSM_PARAMETER: self._parameter,
        }[resource_type]
        try:
            record = create(logical_id, name, props)
        except ClientError as error:
            raise TemplateError(
                f"could not create {logical_id} ({resource_type} {name}): {error}. "
                "Is another local stack with the same stack name running in this process?"
            ) from error
        if record is not None:
            self.resources.add(replace(record, created=True))
            logger.debug("created %s %s", resource_type, record.physical_id)

    # ------------------------------------------------------------ DynamoDB

    def _table(self, logical_id: str, name: str, props: Mapping[str, Any]) -> PhysicalResource:
        billing_mode = props.get("BillingMode") or (
            "PROVISIONED" if "ProvisionedThroughput" in props else "PAY_PER_REQUEST"
        )
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": billing_mode,
        }
        if billing_mode == "PROVISIONED":
            request["ProvisionedThroughput"] = _throughput(props.get("ProvisionedThroughput"))
        indexes = []
        for index in props.get("GlobalSecondaryIndexes") or []:
            gsi = {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
            if billing_mode == "PROVISIONED":
                gsi["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
            indexes.append(gsi)
        if indexes:
            request["GlobalSecondaryIndexes"] = indexes
        local_indexes = [
            {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
            for index in props.get("LocalSecondaryIndexes") or []
        ]
        if local_indexes:
            request["LocalSecondaryIndexes"] = local_indexes
        stream = props.get("StreamSpecification")
        if stream and stream.get("StreamViewType"):
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        if props.get("Tags"):
            request["Tags"] = props["Tags"]
        return self._create_table(logical_id, DYNAMODB_TABLE, request, props.get("TimeToLiveSpecification"))

    def _simple_table(self, logical_id: str, name: str, props: Mapping[str, Any]) -> PhysicalResource:
        key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        attribute_type = {"String": "S", "Number": "N", "Binary": "B"}[key.get("Type", "String")]
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": attribute_type}],
        }
        if props.get("ProvisionedThroughput"):
            request["BillingMode"] = "PROVISIONED"
            request["ProvisionedThroughput"] = _throughput(props["ProvisionedThroughput"])
        else:
            request["BillingMode"] = "PAY_PER_REQUEST"
        return self._create_table(logical_id, SIMPLE_TABLE, request, None)

    def _create_table(
        self, logical_id: str, resource_type: str, request: dict[str, Any], ttl: Mapping[str, Any] | None
    ) -> PhysicalResource:
        dynamodb = self.client("dynamodb")
        description = dynamodb.create_table(**request)["TableDescription"]
        if ttl and _is_true(ttl.get("Enabled")):
            dynamodb.update_time_to_live(
                TableName=request["TableName"],
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        return PhysicalResource(
            logical_id,
            resource_type,
            request["TableName"],
            arn=description["TableArn"],
            stream_arn=description.get("LatestStreamArn"),
        )

    # ------------------------------------------------------------ SQS, SNS

    def _queue(self, logical_id: str, name: str, props: Mapping[str, Any]) -> PhysicalResource:
        attributes: dict[str, str] = {}
        for key, value in props.items():
            if key in ("QueueName", "Tags"):
                continue
            attributes[key] = json.dumps(value) if isinstance(value, dict) else scalar_string(value)
        request: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        tags = {tag["Key"]: scalar_string(tag["Value"]) for tag in props.get("Tags") or []}
        if tags:
            request["tags"] = tags
        sqs = self.client("sqs")
        url = sqs.create_queue(**request)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return PhysicalResource(logical_id, SQS_QUEUE, name, arn=arn, url=url)

    def _topic(self, logical_id: str, name: str, props: Mapping[str, Any]) -> PhysicalResource:
        attributes = {
            key: scalar_string(props[key])
            for key in ("DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId")
            if key in props
        }
        sns = self.client("sns")
        arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        for subscription in props.get("Subscription") or []:
            self._subscribe(sns, arn, subscription["Protocol"], subscription["Endpoint"], {})
        return PhysicalResource(logical_id, SNS_TOPIC, name, arn=arn)

    def _subscription(self, logical_id: str, name: str, props: Mapping[str, Any]) -> PhysicalResource | None:
        attributes = {
            key: json.dumps(props[key]) if isinstance(props[key], dict) else scalar_string(props[key])
            for key in ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy")
            if key in props
        }
        arn = self._subscribe(
            self.client("sns"), props["TopicArn"], props["Protocol"], props["Endpoint"], attributes
        )
        if arn is None:
            return None
        return PhysicalResource(logical_id, SNS_SUBSCRIPTION, arn, arn=arn)

    def _subscribe(
        self, sns: Any, topic_arn: str, protocol: str, endpoint: str, attributes: dict[str, str]
    ) -> str | None:
        if protocol not in ("sqs", "email", "email-json"):
            logger.warning("SNS subscription %s -> %s is not emulated locally", protocol, endpoint)
            return None
        response = sns.subscribe(
            TopicArn=topic_arn,
            Protocol=protocol,
            Endpoint=endpoint,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )
        return str(response["SubscriptionArn"])

    # ------------------------------------------------------------ S3, SSM

    def _bucket(self, logical_id: str, name: str, props: Mapping[str, Any]) -> PhysicalResource:
        s3 = self.client("s3")
        request: dict[str, Any] = {"Bucket": name}
        if self.template.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": self.template.region}
        s3.create_bucket(**request)
        versioning = (props.get("VersioningConfiguration") or {}).get("Status")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        if props.get("NotificationConfiguration"):
            logger.warning("%s: S3 bucket notifications are not emulated locally", logical_id)
        return PhysicalResource(logical_id, S3_BUCKET, name, arn=_arn(self.template, S3_BUCKET, name))

    def _parameter(self, logical_id: str, name: str, props: Mapping[str, Any]) -> PhysicalResource:
        self.client("ssm").put_parameter(
            Name=name, Type=props.get("Type", "String"), Value=scalar_string(props["Value"]), Overwrite=True
        )
        return PhysicalResource(logical_id, SSM_PARAMETER, name, arn=_arn(self.template, SSM_PARAMETER, name))


def _throughput(throughput: Mapping[str, Any] | None) -> dict[str, int]:
    throughput = throughput or {}
    return {
        "ReadCapacityUnits": int(throughput.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(throughput.get("WriteCapacityUnits", 5)),
    }


def delete_resources(resources: LocalResources, session: boto3.Session, endpoint_url: str | None) -> None:
    """Delete what create_resources created (best effort: a resource already gone is skipped)."""

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]

    for record in reversed(list(resources)):
        if not record.created:
            continue
        try:
            if record.type in (DYNAMODB_TABLE, SIMPLE_TABLE):
                client("dynamodb").delete_table(TableName=record.physical_id)
            elif record.type == SQS_QUEUE:
                client("sqs").delete_queue(QueueUrl=record.url)
            elif record.type == SNS_TOPIC:
                client("sns").delete_topic(TopicArn=record.arn)
            elif record.type == SNS_SUBSCRIPTION:
                client("sns").unsubscribe(SubscriptionArn=record.arn)
            elif record.type == SSM_PARAMETER:
                client("ssm").delete_parameter(Name=record.physical_id)
            elif record.type == S3_BUCKET:
                _delete_bucket(client("s3"), record.physical_id)
        except ClientError as error:
            logger.debug("could not delete %s: %s", record.physical_id, error)


def _delete_bucket(s3: Any, bucket: str) -> None:
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        objects = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
    s3.delete_bucket(Bucket=bucket)
