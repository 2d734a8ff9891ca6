"""template.yaml keeps its promises: routes match the Chalice apps, every queue dead-letters and alarms."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import load_template

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


def test_every_dead_letter_queue_has_an_alarm() -> None:
    dlqs = {
        props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in (props := r.get("Properties", {}))
    }
    dlqs.add("AggregatesDLQ")
    alarmed = {
        dimension["Value"]["Fn::GetAtt"][0]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        for dimension in r["Properties"]["Dimensions"]
    }
    assert dlqs <= alarmed


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
