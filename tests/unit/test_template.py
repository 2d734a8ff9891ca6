"""template.yaml keeps its promises: routes match the Chalice apps, every queue dead-letters and alarms,
and each function may do what its adapters do and no more, logs with retention and is watched."""

from __future__ import annotations

import fnmatch
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import load_template
from otklik.bootstrap.ingest_webhook import IngestSettings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE.resources
FUNCTIONS = {f.logical_id: f for f in TEMPLATE.functions()}


def _module(logical_id: str) -> Any:
    function = FUNCTIONS[logical_id]
    module_name, _, _ = function.handler.rpartition(".")
    spec = importlib.util.spec_from_file_location(
        f"template_{logical_id}", ROOT / function.code_uri / f"{module_name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _events(logical_id: str, kind: str) -> list[dict[str, Any]]:
    events = RESOURCES[logical_id]["Properties"].get("Events", {})
    return [e["Properties"] for e in events.values() if e["Type"] == kind]


# Paths the ops API takes only to answer "no such route" in the documented shape.
CATCH_ALL = {"/{proxy+}", "/"}


@pytest.mark.parametrize("logical_id", ["IngestWebhookFunction", "OpsApiFunction"])
def test_every_chalice_route_is_an_api_event_and_back(logical_id: str) -> None:
    app = _module(logical_id).app
    chalice_paths = {path for path, methods in app.routes.items() if methods}
    template_paths = {e["Path"] for e in _events(logical_id, "Api")} - CATCH_ALL
    assert chalice_paths == template_paths


@pytest.mark.parametrize("logical_id", ["IngestWebhookFunction", "OpsApiFunction"])
def test_every_api_event_takes_any_method_so_the_app_answers_a_wrong_one_with_405(logical_id: str) -> None:
    assert {e["Method"] for e in _events(logical_id, "Api")} == {"ANY"}


def test_only_the_ops_api_catches_unknown_paths() -> None:
    catching = {
        logical_id for logical_id in FUNCTIONS for e in _events(logical_id, "Api") if e["Path"] in CATCH_ALL
    }
    assert catching == {"OpsApiFunction"}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_handler_exists(logical_id: str) -> None:
    attribute = FUNCTIONS[logical_id].handler.rpartition(".")[2]
    assert callable(getattr(_module(logical_id), attribute))


def _queue_of(event: dict[str, Any]) -> str:
    queue = event["Queue"]
    return str(
        queue["Fn::GetAtt"][0] if isinstance(queue["Fn::GetAtt"], list) else queue["Fn::GetAtt"].split(".")[0]
    )


SQS_CONSUMERS = [
    (logical_id, event) for logical_id in sorted(FUNCTIONS) for event in _events(logical_id, "SQS")
]


@pytest.mark.parametrize(("logical_id", "event"), SQS_CONSUMERS, ids=[c[0] for c in SQS_CONSUMERS])
def test_sqs_consumers_report_partial_failures_and_their_queue_dead_letters(
    logical_id: str, event: dict[str, Any]
) -> None:
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = RESOURCES[_queue_of(event)]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 1
    timeout = FUNCTIONS[logical_id].timeout
    assert queue["VisibilityTimeout"] >= 6 * timeout


def test_there_is_a_sample_event_for_every_trigger_kind() -> None:
    kinds = {
        e["Type"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Serverless::Function"
        for e in r["Properties"].get("Events", {}).values()
    }
    samples = {p.name for p in (ROOT / "events").glob("*.json")}
    prefixes = {
        "Api": "api_",
        "SQS": "sqs_",
        "DynamoDB": "dynamodb_",
        "ScheduleV2": "schedule_",
        "Schedule": "schedule_",
    }
    for kind in kinds:
        assert any(name.startswith(prefixes[kind]) for name in samples), kind


# ---------------------------------------------------------------- permissions

# The DynamoDB calls each function's adapters make (layers/otklik/otklik/adapters, wired by the builder in
# bootstrap/<function>.py), by table or "table/index/<name>". A call added to an adapter needs its grant
# in template.yaml and its line here; a grant wider than the calls fails here.
POWERTOOLS_IDEMPOTENCY = {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}
DYNAMODB_CALLS: dict[str, dict[str, set[str]]] = {
    "IngestWebhookFunction": {"IdempotencyTable": {"GetItem", "PutItem"}},  # webhook receipts
    "ScoreFeedbackFunction": {
        "FeedbackTable": {"PutItem", "UpdateItem"},
        "SeenTextsTable": {"PutItem", "GetItem"},
    },
    "RouteFeedbackFunction": {
        "FeedbackTable": {"GetItem"},
        # a ticket and its queue entries (TransactWriteItems of a Put and Updates); repeat contacts; turns
        "TicketsTable": {"GetItem", "PutItem", "UpdateItem"},
        "TicketsTable/index/by_customer": {"Query"},
    },
    "SendNotificationsFunction": {
        "TicketsTable": {"GetItem", "PutItem", "UpdateItem"},  # the outbox, waits, caps and digests
        "TicketsTable/index/by_deadline": {"Query"},  # what waited and is due
        "IdempotencyTable": POWERTOOLS_IDEMPOTENCY,
    },
    "UpdateAggregatesFunction": {"AggregatesTable": {"PutItem", "UpdateItem"}},  # in one TransactWriteItems
    "DetectSpikesFunction": {
        # the trailing days' counters and recent alerts (Query), a new alert kept once (PutItem)
        "AggregatesTable": {"Query", "PutItem"},
        "FeedbackTable/index/by_day": {"Query"},  # a spike's examples
    },
    "BuildReportsFunction": {
        # the periods' and chart days' counters (Query); the report index: built? (GetItem), listed (PutItem)
        "AggregatesTable": {"Query", "GetItem", "PutItem"},
    },
    "TrainTonalityFunction": {"FeedbackTable/index/by_day": {"Query"}},  # the window's rated reviews
    "SweepSlaFunction": {
        "TicketsTable": {"GetItem", "BatchGetItem", "UpdateItem"},
        "TicketsTable/index/by_deadline": {"Query"},
    },
    "PollMarketplacesFunction": {
        "CursorsTable": {"GetItem", "PutItem"},
        "TicketsTable": {"GetItem", "PutItem", "UpdateItem"},
        "TicketsTable/index/by_deadline": {"Query"},
    },
    "FetchMarketplaceFunction": {},
    "PublishAnswersFunction": {
        # the first response, on the version read; the read-back watch (put)
        "TicketsTable": {"GetItem", "UpdateItem", "PutItem"},
        "IdempotencyTable": POWERTOOLS_IDEMPOTENCY,
    },
    "OpsApiFunction": {
        "FeedbackTable": {"GetItem"},
        "FeedbackTable/index/by_day": {"Query"},
        # BatchGetItem: a page of a day's tickets for POST /rules/dry-run.
        "TicketsTable": {"GetItem", "BatchGetItem", "Query", "UpdateItem"},
        "TicketsTable/index/by_status": {"Query"},
        "AggregatesTable": {"Query", "GetItem"},  # counters, alerts, the report index; one report
    },
}

# What SAM's DynamoDB policy templates allow, so one used instead of a statement is judged the same way.
SAM_DYNAMODB_TEMPLATES = {
    "DynamoDBCrudPolicy": {
        "GetItem", "DeleteItem", "PutItem", "Scan", "Query", "UpdateItem",
        "BatchWriteItem", "BatchGetItem", "DescribeTable", "ConditionCheckItem",
    },
    "DynamoDBReadPolicy": {"GetItem", "Scan", "Query", "BatchGetItem", "DescribeTable"},
    "DynamoDBWritePolicy": {"PutItem", "UpdateItem", "BatchWriteItem"},
}  # fmt: skip


def _policies(logical_id: str) -> list[dict[str, Any]]:
    return list(RESOURCES[logical_id]["Properties"].get("Policies") or [])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _dynamodb_target(resource: Any) -> str:
    """A statement's Resource as "Table" or "Table/index/name"; anything else (say "*") as itself."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        logical_id, attribute = resource["Fn::GetAtt"]
        return str(logical_id) if attribute == "Arn" else f"{logical_id}.{attribute}"
    if isinstance(resource, dict) and isinstance(resource.get("Fn::Sub"), str):
        text: str = resource["Fn::Sub"]
        if text.startswith("${") and ".Arn}" in text:
            logical_id, _, rest = text[2:].partition(".Arn}")
            return logical_id + rest
    return repr(resource)


def dynamodb_grants(logical_id: str) -> dict[str, set[str]]:
    """The DynamoDB actions the function's Policies allow, by table or index."""
    grants: dict[str, set[str]] = {}
    for policy in _policies(logical_id):
        for name, actions in SAM_DYNAMODB_TEMPLATES.items():
            if name in policy:
                table = policy[name]["TableName"]["Ref"]
                for target in (table, f"{table}/index/*"):
                    grants.setdefault(target, set()).update(actions)
        for statement in policy.get("Statement", []):
            actions = {
                a.removeprefix("dynamodb:")
                for a in _as_list(statement["Action"])
                if a.startswith("dynamodb:")
            }
            assert statement["Effect"] == "Allow", logical_id
            for resource in _as_list(statement["Resource"]) if actions else []:
                grants.setdefault(_dynamodb_target(resource), set()).update(actions)
    return grants


def uses_powertools_idempotency(logical_id: str) -> bool:
    builder = ROOT / "layers/otklik/otklik/bootstrap" / f"{FUNCTIONS[logical_id].code_uri.name}.py"
    return "otklik.adapters.idempotency" in builder.read_text("utf-8")


def test_every_function_has_its_dynamodb_calls_listed() -> None:
    assert set(DYNAMODB_CALLS) == set(FUNCTIONS)


@pytest.mark.parametrize("logical_id", sorted(DYNAMODB_CALLS))
def test_each_function_may_make_exactly_the_dynamodb_calls_its_adapters_make(logical_id: str) -> None:
    assert dynamodb_grants(logical_id) == DYNAMODB_CALLS[logical_id]


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_no_function_scans_or_deletes_but_powertools_idempotency_deletes_its_records(logical_id: str) -> None:
    # Given what the function may do to each table
    grants = dynamodb_grants(logical_id)

    # Then nothing may Scan or hold the CRUD template, and DeleteItem is only Powertools' on IdempotencyTable
    assert not any("DynamoDBCrudPolicy" in policy for policy in _policies(logical_id))
    assert not any("Scan" in actions or "*" in actions for actions in grants.values())
    deleting = {target for target, actions in grants.items() if "DeleteItem" in actions}
    assert deleting == ({"IdempotencyTable"} if uses_powertools_idempotency(logical_id) else set())
    # And Powertools, which also reads, claims and completes its records, may do all of that
    if uses_powertools_idempotency(logical_id):
        assert grants["IdempotencyTable"] >= POWERTOOLS_IDEMPOTENCY


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_function_is_granted_only_the_tables_it_is_configured_with(logical_id: str) -> None:
    variables = RESOURCES[logical_id]["Properties"]["Environment"]["Variables"]
    configured = {value["Ref"] for name, value in variables.items() if name.endswith("_TABLE")}
    granted = {target.partition("/")[0] for target in dynamodb_grants(logical_id)}
    assert granted == configured


def _ssm_patterns(logical_id: str) -> set[str]:
    """The parameter names the function may read, as IAM matches them ("*" spans "/")."""
    patterns = set()
    for policy in _policies(logical_id):
        if "SSMParameterReadPolicy" in policy:
            patterns.add("/" + TEMPLATE.resolve(policy["SSMParameterReadPolicy"]["ParameterName"]))
        for statement in policy.get("Statement", []):
            assert not any(str(a).startswith("ssm:") for a in _as_list(statement["Action"])), logical_id
    return patterns


def _readable(logical_id: str, parameter: str) -> bool:
    return any(fnmatch.fnmatchcase(parameter, pattern) for pattern in _ssm_patterns(logical_id))


def test_the_public_webhook_function_reads_only_the_secrets_it_checks_requests_against() -> None:
    # Given the names the webhook function reads, as its settings build them (Stage prod: /otklik/prod)
    settings = IngestSettings.model_validate(
        {
            "parameter_prefix": "/otklik/prod",
            "ingest_queue_url": "https://sqs/ingest",
            "fetch_queue_url": "https://sqs/fetch",
            "idempotency_table": "idempotency",
        }
    )
    needed = [
        settings.secret_parameter("custom"),
        settings.secret_parameter("site"),
        settings.connections_parameter,
    ]
    # and the push tokens of connections named as docs/marketplaces.md names them
    needed += [
        "/otklik/prod/marketplaces/ozon-main/push-token",
        "/otklik/prod/marketplaces/ym-main/push-token",
    ]

    # Then it may read each of them
    assert all(_readable("IngestWebhookFunction", name) for name in needed)
    # And none of the marketplaces' API credentials, the ops token, notification secrets or another stage's
    for name in [
        "/otklik/prod/marketplaces/ozon-main/api-key",
        "/otklik/prod/marketplaces/wb-main/token",
        "/otklik/prod/ops/token",
        "/otklik/prod/notify/slack-webhook-url",
        "/otklik/staging/webhooks/custom/secret",
    ]:
        assert not _readable("IngestWebhookFunction", name), name
    # While the functions that call the marketplaces still read their credentials
    for logical_id in ("PollMarketplacesFunction", "FetchMarketplaceFunction", "PublishAnswersFunction"):
        assert _readable(logical_id, "/otklik/prod/marketplaces/ozon-main/api-key"), logical_id


def _s3_grants(logical_id: str) -> dict[str, set[str]]:
    """The S3 actions the function's Policies allow, by bucket ("Bucket" or "Bucket/prefix*")."""
    grants: dict[str, set[str]] = {}
    for policy in _policies(logical_id):
        if "S3ReadPolicy" in policy:
            bucket = policy["S3ReadPolicy"]["BucketName"]["Ref"]
            grants.setdefault(bucket, set()).update({"GetObject", "ListBucket"})
        for statement in policy.get("Statement", []):
            actions = {a.removeprefix("s3:") for a in _as_list(statement["Action"]) if a.startswith("s3:")}
            for resource in _as_list(statement["Resource"]) if actions else []:
                grants.setdefault(_dynamodb_target(resource), set()).update(actions)
    return grants


def test_every_bucket_is_encrypted_private_and_kept_and_the_models_bucket_keeps_versions() -> None:
    buckets = {lid: r for lid, r in RESOURCES.items() if r["Type"] == "AWS::S3::Bucket"}
    assert {"ConfigBucket", "ReportsBucket", "ModelsBucket"} <= set(buckets)
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert bucket["DeletionPolicy"] == "Retain", logical_id
        assert set(props["PublicAccessBlockConfiguration"].values()) == {True}, logical_id
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical_id
    assert buckets["ModelsBucket"]["Properties"]["VersioningConfiguration"]["Status"] == "Enabled"


def test_only_training_writes_the_models_and_only_under_models_while_scoring_reads_them() -> None:
    # Given who may do what to ModelsBucket
    writers = {
        logical_id: grants
        for logical_id in FUNCTIONS
        for target, grants in _s3_grants(logical_id).items()
        if target.startswith("ModelsBucket") and "PutObject" in grants
    }
    # Then training alone writes, under models/, and never deletes; scoring reads (a missing pointer a 404)
    assert list(writers) == ["TrainTonalityFunction"]
    assert _s3_grants("TrainTonalityFunction")["ModelsBucket/models/*"] == {"PutObject"}
    assert not any("DeleteObject" in actions for actions in _s3_grants("TrainTonalityFunction").values())
    assert _s3_grants("ScoreFeedbackFunction")["ModelsBucket"] == {"GetObject", "ListBucket"}
    # And the training function has only the otklik layer of Globals (no charts layer: no matplotlib)
    assert list(FUNCTIONS["TrainTonalityFunction"].layers) == [{"Ref": "OtklikLayer"}]


# ---------------------------------------------------------------- alarms

ALARMS = {lid: r["Properties"] for lid, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def _named(value: Any) -> str:
    """An alarm dimension's value: the logical id it refers to, or the value the defaults resolve it to."""
    if isinstance(value, dict) and "Ref" in value and value["Ref"] in RESOURCES:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return str(TEMPLATE.resolve(value))


def alarms_on(namespace: str, metric: str) -> dict[str, dict[str, Any]]:
    """Alarms on one metric, by the logical id (or resolved value) of their first dimension."""
    return {
        _named(props["Dimensions"][0]["Value"]): props
        for props in ALARMS.values()
        if props.get("Namespace") == namespace and props.get("MetricName") == metric
    }


def _queue_arn_target(arn: Any) -> str:
    return str(arn["Fn::GetAtt"][0])


def dead_letter_queues() -> set[str]:
    """Every queue the stack dead-letters into: redrive targets, stream, async and schedule failures."""
    queues = {
        _queue_arn_target(props["RedrivePolicy"]["deadLetterTargetArn"])
        for r in RESOURCES.values()
        if r["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in (props := r.get("Properties", {}))
    }
    for function in FUNCTIONS.values():
        invoke = function.properties.get("EventInvokeConfig") or {}
        on_failure = (invoke.get("DestinationConfig") or {}).get("OnFailure")
        if on_failure:
            queues.add(_queue_arn_target(on_failure["Destination"]))
        for event in function.events:
            if "DestinationConfig" in event.properties:
                queues.add(
                    _queue_arn_target(event.properties["DestinationConfig"]["OnFailure"]["Destination"])
                )
            if "DeadLetterConfig" in event.properties:
                queues.add(_queue_arn_target(event.properties["DeadLetterConfig"]["Arn"]))
    return queues


def _fires_above(props: dict[str, Any], threshold: float) -> bool:
    return props["ComparisonOperator"] == "GreaterThanThreshold" and float(props["Threshold"]) == threshold


@pytest.mark.parametrize("logical_id", sorted(ALARMS))
def test_every_alarm_tells_the_alarm_topic_and_takes_no_data_as_all_is_well(logical_id: str) -> None:
    assert ALARMS[logical_id]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert ALARMS[logical_id]["TreatMissingData"] == "notBreaching"


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_alarms_when_it_fails_is_throttled_or_nears_its_timeout(logical_id: str) -> None:
    errors = alarms_on("AWS/Lambda", "Errors")[logical_id]
    throttles = alarms_on("AWS/Lambda", "Throttles")[logical_id]
    duration = alarms_on("AWS/Lambda", "Duration")[logical_id]
    assert errors["Statistic"] == throttles["Statistic"] == "Sum"
    assert _fires_above(errors, 0) and _fires_above(throttles, 0)
    assert duration["Statistic"] == "Maximum"
    assert _fires_above(duration, 0.8 * FUNCTIONS[logical_id].timeout * 1000)


@pytest.mark.parametrize("queue", sorted({_queue_of(event) for _, event in SQS_CONSUMERS}))
def test_every_queue_alarms_when_its_oldest_message_waits_past_a_quarter_hour(queue: str) -> None:
    age = alarms_on("AWS/SQS", "ApproximateAgeOfOldestMessage")[queue]
    assert age["Statistic"] == "Maximum"
    assert _fires_above(age, 15 * 60)


def test_every_dead_letter_queue_alarms_on_its_first_message() -> None:
    # Given every queue a failure ends up in, including the schedules' and the stream's
    queues = dead_letter_queues()
    assert {"IngestDLQ", "AggregatesDLQ", "SchedulesDLQ"} <= queues

    # Then each alarms as soon as one message is visible
    visible = alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    for queue in queues:
        assert _fires_above(visible[queue], 0), queue


def test_the_stream_consumer_alarms_when_it_falls_a_quarter_hour_behind() -> None:
    readers = [f for f in FUNCTIONS.values() if f.events_of_type("DynamoDB")]
    assert [f.logical_id for f in readers] == ["UpdateAggregatesFunction"]
    iterator_age = alarms_on("AWS/Lambda", "IteratorAge")["UpdateAggregatesFunction"]
    assert iterator_age["Statistic"] == "Maximum"
    assert _fires_above(iterator_age, 15 * 60 * 1000)


def test_marketplace_polls_alarm_when_they_fail_in_three_periods_running() -> None:
    # Given the metric poll_marketplaces counts (Powertools adds its service as the dimension)
    service = FUNCTIONS["PollMarketplacesFunction"].properties["Environment"]["Variables"]
    watching = alarms_on("otklik", "MarketplacePollsFailed")
    # Then one alarm watches it for that service, firing when some stream failed in each of 3 periods
    assert list(watching) == [service["POWERTOOLS_SERVICE_NAME"]]
    alarm = watching[service["POWERTOOLS_SERVICE_NAME"]]
    assert alarm["Statistic"] == "Maximum" and _fires_above(alarm, 0)
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == 3


def test_the_api_alarms_on_any_5xx_of_its_stage() -> None:
    # Given the API's name and stage, as CloudWatch's dimensions name them
    api = RESOURCES["OtklikApi"]["Properties"]
    stage = {"ApiName": TEMPLATE.resolve(api["Name"]), "Stage": api["StageName"]}

    # Then an alarm watches that stage's 5xx answers and fires on the first
    watching = [
        props
        for props in ALARMS.values()
        if (props.get("Namespace"), props.get("MetricName")) == ("AWS/ApiGateway", "5XXError")
        and {d["Name"]: TEMPLATE.resolve(d["Value"]) for d in props["Dimensions"]} == stage
    ]
    assert len(watching) == 1
    assert watching[0]["Statistic"] == "Sum" and _fires_above(watching[0], 0)


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_publish_with() -> None:
    # Given the topic's key: one of the stack's own (the AWS-managed alias/aws/sns refuses CloudWatch)
    key_id = RESOURCES["AlarmTopic"]["Properties"]["KmsMasterKeyId"]["Ref"]
    key = RESOURCES[key_id]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True

    # Then its policy lets CloudWatch encrypt alarm messages, and the account keep managing the key
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    cloudwatch = [s for s in statements if s["Principal"].get("Service") == "cloudwatch.amazonaws.com"]
    assert cloudwatch and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cloudwatch[0]["Action"])
    account = [s for s in statements if "AWS" in s["Principal"]]
    assert TEMPLATE.resolve(account[0]["Principal"]["AWS"]) == "arn:aws:iam::123456789012:root"
    assert account[0]["Action"] == "kms:*"


# ---------------------------------------------------------------- logs, retention, concurrency, schedules


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_logs_to_a_group_with_retention_made_before_it(logical_id: str) -> None:
    # Given the function's name and the log group Lambda would write to
    name = TEMPLATE.resolve(FUNCTIONS[logical_id].properties["FunctionName"])
    groups = {
        TEMPLATE.resolve(r["Properties"]["LogGroupName"]): (lid, r["Properties"])
        for lid, r in RESOURCES.items()
        if r["Type"] == "AWS::Logs::LogGroup"
    }
    group_id, group = groups[f"/aws/lambda/{name}"]

    # Then the stack makes that group, with the retention parameter, before the function
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert group_id in _as_list(RESOURCES[logical_id].get("DependsOn", []))
    assert TEMPLATE.parameters["LogRetentionDays"] == "30"


def test_dead_letter_queues_keep_messages_longer_than_their_source_queues() -> None:
    # A moved message keeps its first enqueue time, so the DLQ must outlive the source queue's retention.
    fourteen_days = 14 * 24 * 3600
    for logical_id, resource in RESOURCES.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in props:
            dlq = RESOURCES[_queue_arn_target(props["RedrivePolicy"]["deadLetterTargetArn"])]["Properties"]
            assert props["MessageRetentionPeriod"] < dlq["MessageRetentionPeriod"], logical_id
    for queue in dead_letter_queues():
        assert RESOURCES[queue]["Properties"]["MessageRetentionPeriod"] == fourteen_days, queue


@pytest.mark.parametrize(("logical_id", "event"), SQS_CONSUMERS, ids=[c[0] for c in SQS_CONSUMERS])
def test_queue_consumers_scale_only_to_a_bounded_concurrency(logical_id: str, event: dict[str, Any]) -> None:
    assert 2 <= event["ScalingConfig"]["MaximumConcurrency"] <= 20


def test_the_webhook_function_reserves_its_concurrency_unless_told_not_to() -> None:
    # Given the default parameters, and an account too small to reserve from (0)
    reserved = TEMPLATE.resolve(FUNCTIONS["IngestWebhookFunction"].properties["ReservedConcurrentExecutions"])
    small = load_template(ROOT / "template.yaml", {"WebhookReservedConcurrency": "0"})
    unreserved = small.resolve(
        small.function("IngestWebhookFunction").properties["ReservedConcurrentExecutions"]
    )

    # Then by default it is reserved and capped; with 0 it is left out (Lambda's 0 would refuse every call)
    assert 0 < int(reserved) <= 100
    assert unreserved is None


SCHEDULED = [
    (f.logical_id, e) for f in FUNCTIONS.values() for e in f.events_of_type("Schedule", "ScheduleV2")
]


@pytest.mark.parametrize(("logical_id", "event"), SCHEDULED, ids=[s[0] for s in SCHEDULED])
def test_a_failed_scheduled_run_is_retried_and_then_dead_lettered_where_it_alarms(
    logical_id: str, event: Any
) -> None:
    # Given the schedule and the function's settings for asynchronous calls (as Scheduler makes them)
    schedule = event.properties
    on_failure = FUNCTIONS[logical_id].properties["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    visible = alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible")

    # Then Scheduler retries a call Lambda refused, and both it and Lambda put what failed in an alarmed DLQ
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert _queue_arn_target(schedule["DeadLetterConfig"]["Arn"]) in visible
    assert on_failure["Type"] == "SQS"
    assert _queue_arn_target(on_failure["Destination"]) in visible


def test_the_deploy_profiles_override_only_parameters_the_template_declares() -> None:
    import tomllib

    profiles = tomllib.loads((ROOT / "samconfig.toml").read_text("utf-8"))
    declared = set(TEMPLATE.parameters)
    for name, profile in profiles.items():
        if not isinstance(profile, dict):
            continue
        overrides = profile.get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
        named = {pair.split("=", 1)[0] for pair in overrides.split()}
        assert named <= declared, f"samconfig.toml [{name}] overrides {sorted(named - declared)}"
