"""The running stack over HTTP: proxy events, API Gateway's answers, local routes, function sandboxes."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from typing import Any

import pytest

from infra.local.stack import LocalStack

pytestmark = pytest.mark.integration


def call(
    stack: LocalStack,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, list[str]], bytes]:
    request = urllib.request.Request(stack.api_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, message, content = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, message, content = error.code, error.headers, error.read()
    received: dict[str, list[str]] = {}
    for name, value in message.items():
        received.setdefault(name.lower(), []).append(value)
    return status, received, content


def echoed(content: bytes) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(content)
    return answer


def test_a_request_reaches_the_function_as_the_proxy_event_api_gateway_sends(stack: LocalStack) -> None:
    # Given the fixture API (stage v1, stage variable color=blue) with GET /items/{id}
    # When a request with repeated query parameters and a custom header arrives
    status, headers, content = call(stack, "GET", "/items/42?size=s&size=m", headers={"X-Trace": "t-1"})

    # Then the handler got the REST proxy event, template path in resource and resourcePath
    assert status == 200
    event = echoed(content)["event"]
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/42"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"size": "m"}
    assert event["multiValueQueryStringParameters"] == {"size": ["s", "m"]}
    assert event["stageVariables"] == {"color": "blue"}
    assert event["headers"]["X-Trace"] == "t-1"
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/items/{id}"
    assert context["stage"] == "v1"
    assert context["path"] == "/v1/items/42"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["apiId"] == stack.resources.physical_id("FixtureApi")
    assert context["accountId"] == "123456789012"
    # And the function's proxy response became the HTTP response, multi-value headers included
    assert headers["x-fixture"] == ["http"]
    assert headers["set-cookie"] == ["a=1", "b=2"]
    assert headers["x-amzn-requestid"] == [context["requestId"]]


def test_a_greedy_path_takes_any_method_and_the_rest_of_the_path(stack: LocalStack) -> None:
    status, _, content = call(stack, "DELETE", "/proxy/a/b/c")

    event = echoed(content)["event"]
    assert status == 200
    assert event["resource"] == "/proxy/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b/c"}
    assert event["httpMethod"] == "DELETE"


def test_a_binary_body_arrives_base64_encoded_and_text_as_is(stack: LocalStack) -> None:
    _, _, binary = call(stack, "POST", "/echo", body=b"\xff\x00\xfe", headers={"Content-Type": "image/png"})
    _, _, text = call(
        stack, "POST", "/echo", body='{"a": "ы"}'.encode(), headers={"Content-Type": "application/json"}
    )

    assert echoed(binary)["event"]["isBase64Encoded"] is True
    assert base64.b64decode(echoed(binary)["event"]["body"]) == b"\xff\x00\xfe"
    assert echoed(text)["event"]["isBase64Encoded"] is False
    assert echoed(text)["event"]["body"] == '{"a": "ы"}'


def test_a_crashing_handler_is_a_502_like_api_gateway(stack: LocalStack) -> None:
    status, headers, content = call(stack, "GET", "/crash")

    assert status == 502
    assert json.loads(content) == {"message": "Internal server error"}
    assert headers["content-type"] == ["application/json"]


def test_an_unknown_route_is_a_404_with_a_json_body(stack: LocalStack) -> None:
    status, _, content = call(stack, "GET", "/items")
    wrong_method, _, _ = call(stack, "PUT", "/echo", body=b"{}")

    assert status == 404
    assert "GET /items" in json.loads(content)["message"]
    assert wrong_method == 404


def test_a_body_over_10_mb_is_refused_with_413(stack: LocalStack) -> None:
    before = stack.runtime.invocations

    status, _, content = call(stack, "POST", "/echo", body=b"x" * (10 * 1024 * 1024 + 1))

    assert status == 413
    assert "10 MB" in json.loads(content)["message"]
    assert stack.runtime.invocations == before


def test_a_schedule_fires_on_demand_and_answers_what_the_function_returned(stack: LocalStack) -> None:
    # Given TickFunction with a ScheduleV2 event
    # When its schedule is fired through the local route
    status, _, content = call(stack, "POST", "/_local/schedules/TickFunction")

    # Then the function ran with a Scheduled Event from EventBridge Scheduler and its result is the answer
    answer = json.loads(content)
    assert status == 200
    assert answer["source"] == "aws.scheduler"
    assert answer["detail_type"] == "Scheduled Event"
    assert answer["resources"][0].endswith("-TickFunctionDaily")
    assert ":schedule/default/" in answer["resources"][0]


def test_a_json_body_becomes_the_fired_events_detail(stack: LocalStack) -> None:
    # Given a fire with a detail, as an operator forcing a poll would send
    status, _, content = call(stack, "POST", "/_local/schedules/TickFunction", body=b'{"force": true}')
    # Then the function sees it in the event's detail
    assert status == 200
    assert json.loads(content)["detail"] == {"force": True}
    # And a body that is not a JSON object is refused without firing
    before = stack.runtime.invocations
    refused, _, message = call(stack, "POST", "/_local/schedules/TickFunction", body=b"[1, 2]")
    assert refused == 400
    assert "JSON object" in json.loads(message)["message"]
    assert stack.runtime.invocations == before


def test_firing_a_function_without_a_schedule_is_a_404(stack: LocalStack) -> None:
    no_schedule, _, content = call(stack, "POST", "/_local/schedules/HttpFunction")
    no_function, _, _ = call(stack, "POST", "/_local/schedules/NoSuchFunction")

    assert no_schedule == 404
    assert "HttpFunction has no schedule" in json.loads(content)["message"]
    assert no_function == 404


def test_status_describes_resources_functions_and_mappings(stack: LocalStack) -> None:
    status, _, content = call(stack, "GET", "/_local/status")

    described = json.loads(content)
    assert status == 200
    assert described["api_url"] == stack.api_url
    assert described["aws_url"] == stack.aws_url
    assert described["resources"]["WorkQueue"]["url"] == stack.resources.queue_url("WorkQueue")
    assert described["functions"]["HttpFunction"]["triggers"][0] == "GET /items/{id}"
    assert {mapping["name"] for mapping in described["mappings"]} == {
        "WorkerFunction.Work",
        "StreamFunction.Items",
    }
    assert described["schedules"][0]["expression"] == "rate(1 day)"


def test_each_function_runs_in_its_own_environment_and_the_process_keeps_its_own(stack: LocalStack) -> None:
    # Given two functions whose code is both in an app.py, one with a variable the other lacks
    process_environment = dict(os.environ)

    # When both are invoked one after the other
    http = json.loads(stack.invoke("HttpFunction", {"path": "/items/1"})["body"])
    tick = stack.invoke("TickFunction", {"source": "test"})

    # Then each saw its own environment, code module and the shared layer
    assert http["environment"]["ONLY_HTTP"] == "yes"
    assert tick["only_http"] is None
    assert tick["stage"] == http["environment"]["STAGE"] == "dev"
    assert tick["function_name"] == stack.resources.physical_id("TickFunction")
    assert http["function_name"] == stack.resources.physical_id("HttpFunction")
    assert http["module"] != tick["module"]
    assert http["lib"] == tick["lib"] == "fixture-lib"
    assert 0 < http["remaining_ms"] <= 5000
    # And the test process's environment is as it was
    assert dict(os.environ) == process_environment


def test_what_another_thread_owns_in_the_environment_survives_an_invocation_as_it_leaves_it(
    stack: LocalStack,
) -> None:
    # Given pytest's own variable, which it sets and removes around each phase of a test from its thread
    owned = os.environ["PYTEST_CURRENT_TEST"]
    try:
        # When a (background) invocation's environment is in place, the variable is there to be removed...
        with stack.runtime._sandbox("TickFunction"):
            assert os.environ["PYTEST_CURRENT_TEST"] == owned
            os.environ.pop("PYTEST_CURRENT_TEST")
        # ...and once it ends, the process has it as the other thread left it (removed), not as it was
        assert "PYTEST_CURRENT_TEST" not in os.environ
    finally:
        os.environ["PYTEST_CURRENT_TEST"] = owned


def test_the_runtime_sets_what_lambda_sets(stack: LocalStack) -> None:
    environment = stack.runtime.environment("WorkerFunction")

    assert environment["AWS_REGION"] == environment["AWS_DEFAULT_REGION"] == "us-east-1"
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == stack.resources.physical_id("WorkerFunction")
    assert environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert environment["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert environment["AWS_ENDPOINT_URL"] == stack.functions_aws_url  # moto, behind the fault layer
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert environment["LEDGER_TABLE"] == stack.resources.physical_id("LedgerTable")
    assert environment["AWS_ACCESS_KEY_ID"] == "testing"


def test_the_access_log_writes_a_push_urls_token_as_its_name() -> None:
    from infra.local.api import Route, logged_path

    # Given the push route, an ops route with an ordinary parameter and a greedy route
    routes = [
        Route("/push/{marketplace}/{connection}/{token}", "POST", "PushFunction", "Push", "Api", "v1"),
        Route("/tickets/{id}", "GET", "OpsFunction", "Ticket", "Api", "v1"),
        Route("/{proxy+}", "ANY", "OpsFunction", "Rest", "Api", "v1"),
    ]
    # When paths are written as the log writes them
    # Then a push path keeps every segment but the token, also when it is longer and goes elsewhere
    assert logged_path(routes, "/push/ozon/ozon-main/s3cr3t") == "/push/ozon/ozon-main/{token}"
    assert (
        logged_path(routes, "/push/ym/ym-main/s3cr3t/NOTIFICATION") == "/push/ym/ym-main/{token}/NOTIFICATION"
    )
    # And other paths are written as sent
    assert logged_path(routes, "/tickets/t-1") == "/tickets/t-1"
    assert logged_path(routes, "/push/ozon") == "/push/ozon"
    assert logged_path(routes, "/") == "/"
