"""API Gateway emulation without a server: route matching, proxy events and proxy responses."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from infra.local.api import (
    HttpRequest,
    MalformedProxyResponseError,
    Route,
    collect_routes,
    match_route,
    proxy_event,
    proxy_response,
)
from infra.local.mappings import failed_item_ids
from infra.local.resources import LocalResources, PhysicalResource
from infra.local.template import load_template
from tests.local_stack.paths import PROJECT_TEMPLATE

pytestmark = pytest.mark.unit


def route(path: str, method: str = "GET", function_id: str = "Fn") -> Route:
    return Route(path=path, method=method, function_id=function_id, event_name="E", api_id="abc", stage="api")


ROUTES = [
    route("/", function_id="Root"),
    route("/items/{id}", function_id="Item"),
    route("/items/special", function_id="Special"),
    route("/items/{id}/reviews/{review}", function_id="Review"),
    route("/proxy/{proxy+}", "ANY", function_id="Greedy"),
    route("/proxy/fixed", "POST", function_id="Fixed"),
    route("/webhooks/{source}", "POST", function_id="Webhook"),
]


@pytest.mark.parametrize(
    ("method", "path", "function_id", "parameters"),
    [
        ("GET", "/", "Root", {}),
        ("GET", "/items/42", "Item", {"id": "42"}),
        ("GET", "/items/42/", "Item", {"id": "42"}),
        ("GET", "/items/special", "Special", {}),
        ("GET", "/items/7/reviews/9", "Review", {"id": "7", "review": "9"}),
        ("DELETE", "/proxy/a/b/c", "Greedy", {"proxy": "a/b/c"}),
        ("POST", "/proxy/fixed", "Fixed", {}),
        ("GET", "/proxy/fixed", "Greedy", {"proxy": "fixed"}),
        ("post", "/webhooks/custom", "Webhook", {"source": "custom"}),
    ],
)
def test_the_most_specific_route_wins(
    method: str, path: str, function_id: str, parameters: dict[str, str]
) -> None:
    # Given routes with literal segments, {param}, {proxy+} and ANY
    # When a request is matched
    matched = match_route(ROUTES, method, path)

    # Then literal beats {param} beats {proxy+}, a method beats ANY, and parameters are captured
    assert matched is not None
    assert (matched[0].function_id, matched[1]) == (function_id, parameters)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/proxy"),
        ("GET", "/webhooks/custom"),
        ("GET", "/items"),
        ("GET", "/items/1/2"),
        ("GET", "/nope"),
    ],
)
def test_requests_without_a_route_do_not_match(method: str, path: str) -> None:
    # {proxy+} needs at least one segment; a method must match; segment counts must agree
    assert match_route(ROUTES, method, path) is None


def _project_routes() -> list[Route]:
    template = load_template(PROJECT_TEMPLATE, {"Stage": "test"})
    resources = LocalResources(template)
    resources.add(PhysicalResource("OtklikApi", "AWS::Serverless::Api", "otklikapi"))
    return collect_routes(template, resources)


@pytest.mark.parametrize(
    ("method", "path", "event_name", "parameters"),
    [
        # A wrong method still reaches the resource's function (ANY), which answers 405 itself
        ("DELETE", "/tickets", "ListTickets", {}),
        ("PUT", "/tickets/tk_1", "GetTicket", {"id": "tk_1"}),
        ("POST", "/tickets/tk_1/reply", "ReplyToTicket", {"id": "tk_1"}),
        ("GET", "/webhooks/custom", "PostWebhook", {"source": "custom"}),
        # A path no resource has goes to the ops API's catch-all, which answers 404
        ("GET", "/no/such/route", "NotFound", {"proxy": "no/such/route"}),
        ("GET", "/webhooks", "NotFound", {"proxy": "webhooks"}),
        ("POST", "/push/ozon/main", "NotFound", {"proxy": "push/ozon/main"}),
        ("GET", "/tickets/tk_1/reply/extra", "NotFound", {"proxy": "tickets/tk_1/reply/extra"}),
        # {proxy+} needs a segment: the root has its own catch-all
        ("GET", "/", "NotFoundRoot", {}),
    ],
)
def test_the_project_routes_send_any_method_and_any_path_to_an_app(
    method: str, path: str, event_name: str, parameters: dict[str, str]
) -> None:
    # Given the project's Api events (every one Method ANY, the ops API with /{proxy+} and /)
    routes = _project_routes()
    # When a request is matched as API Gateway matches it
    matched = match_route(routes, method, path)
    # Then it reaches the event's function, with the path parameters its app reads
    assert matched is not None
    assert (matched[0].event_name, matched[1]) == (event_name, parameters)


def test_proxy_event_has_the_api_gateway_rest_shape() -> None:
    # Given a request with repeated headers and query parameters and a UTF-8 body
    request = HttpRequest(
        method="POST",
        path="/webhooks/custom",
        query="a=1&a=2&empty=",
        headers=[("Host", "127.0.0.1:3000"), ("X-Tag", "one"), ("X-Tag", "two"), ("User-Agent", "curl/8")],
        body="привет".encode(),
        source_ip="127.0.0.1",
    )
    now = datetime(2026, 11, 22, 9, 41, 5, 123000, tzinfo=UTC)

    # When it becomes a proxy event
    event = proxy_event(
        route("/webhooks/{source}", "POST"),
        {"source": "custom"},
        request,
        account_id="123",
        request_id="r-1",
        now=now,
    )

    # Then the fields are those API Gateway sends, template path included
    assert event["resource"] == "/webhooks/{source}"
    assert event["path"] == "/webhooks/custom"
    assert event["httpMethod"] == "POST"
    assert event["headers"]["X-Tag"] == "two"
    assert event["multiValueHeaders"]["X-Tag"] == ["one", "two"]
    assert event["queryStringParameters"] == {"a": "2", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "empty": [""]}
    assert event["pathParameters"] == {"source": "custom"}
    assert event["stageVariables"] is None
    assert event["body"] == "привет"
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/webhooks/{source}"
    assert context["httpMethod"] == "POST"
    assert context["path"] == "/api/webhooks/custom"
    assert context["stage"] == "api"
    assert context["requestId"] == "r-1"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "curl/8"
    assert context["requestTimeEpoch"] == 1795340465123
    assert context["requestTime"] == "22/Nov/2026:09:41:05 +0000"
    assert (context["accountId"], context["apiId"], context["protocol"]) == ("123", "abc", "HTTP/1.1")


def test_proxy_event_of_a_bare_request_has_nulls_and_binary_is_base64() -> None:
    bare = HttpRequest("GET", "/", "", [], b"", "127.0.0.1")
    binary = HttpRequest("POST", "/", "", [], b"\xff\x00\xfe", "127.0.0.1")
    now = datetime(2026, 1, 1, tzinfo=UTC)

    bare_event = proxy_event(route("/"), {}, bare, account_id="1", request_id="r", now=now)
    binary_event = proxy_event(route("/", "POST"), {}, binary, account_id="1", request_id="r", now=now)

    for field in (
        "headers",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "body",
    ):
        assert bare_event[field] is None
    assert binary_event["isBase64Encoded"] is True
    assert base64.b64decode(binary_event["body"]) == b"\xff\x00\xfe"


def test_proxy_response_merges_headers_and_decodes_base64() -> None:
    # Given a proxy result with both header maps and a base64 body
    result = {
        "statusCode": 201,
        "headers": {"Content-Type": "image/png", "Set-Cookie": "ignored=1"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": base64.b64encode(b"\x89PNG").decode(),
        "isBase64Encoded": True,
    }

    # When turned into the HTTP response
    response = proxy_response(result)

    # Then multiValueHeaders win for a name in both, and the body is the decoded bytes
    assert response.status == 201
    assert sorted(response.headers) == [
        ("Content-Type", "image/png"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    assert response.body == b"\x89PNG"


@pytest.mark.parametrize(
    "result", [None, "ok", {"body": "no status"}, {"statusCode": "x"}, {"statusCode": 200, "body": 1}]
)
def test_a_result_that_is_not_a_proxy_response_is_malformed(result: object) -> None:
    with pytest.raises(MalformedProxyResponseError):
        proxy_response(result)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"other": 1}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
        ({"batchItemFailures": [{}]}, None),
        ({"batchItemFailures": "b"}, None),
    ],
)
def test_batch_item_failures_are_read_as_lambda_reads_them(result: object, expected: set[str] | None) -> None:
    # A missing or empty list is success; an unknown or missing identifier fails the whole batch (None)
    assert failed_item_ids(result, ["a", "b", "c"]) == expected
