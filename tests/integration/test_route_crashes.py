"""Every route of both HTTP apps, its service failing unexpectedly: the documented 500, no customer text.

The routes are read from each app's own route table, so a route added later is covered without a
change here.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from chalice import Chalice

from otklik.bootstrap import ingest_webhook, ops_api
from tests.integration.conftest import ROOT, Stack
from tests.support.api_events import request_event

SECRET = "secret customer text: Иван Петров, ivan@example.com"

# The builder each app's service comes from (the app modules hold it in a Lazy or an OpsContext).
BUILDERS = {"OpsApiFunction": ops_api, "IngestWebhookFunction": ingest_webhook}
APPS = {
    "OpsApiFunction": "functions/ops_api/app.py",
    "IngestWebhookFunction": "functions/ingest_webhook/app.py",
}
# Routes that answer without their service, by design: the API is up, this is its description, and
# the dashboard's page and assets are static files (the page then calls the service's routes).
SERVICE_FREE = {
    ("OpsApiFunction", "GET", "/health"),
    ("OpsApiFunction", "GET", "/openapi.json"),
    ("OpsApiFunction", "GET", "/dashboard"),
    ("OpsApiFunction", "GET", "/dashboard/{asset}"),
}


def _routes_of(function: str) -> list[tuple[str, str, str]]:
    spec = importlib.util.spec_from_file_location(f"routes_of_{function}", ROOT / APPS[function])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app: Chalice = module.app
    return [(function, method, path) for path, methods in app.routes.items() for method in methods]


ROUTES = [route for function in APPS for route in _routes_of(function)]
SERVICE_ROUTES = [route for route in ROUTES if route not in SERVICE_FREE]


# A path parameter that must name something real for the route to answer 200.
REAL_PARAMS = {"asset": "app.js"}


def _event(method: str, resource: str) -> dict[str, Any]:
    """A well-formed request to the route, its path parameters filled in."""
    params = {
        name.rstrip("+"): REAL_PARAMS.get(name.rstrip("+"), f"x-{name.rstrip('+')}")
        for name in re.findall(r"{([^}]+)}", resource)
    }
    path = re.sub(r"{([^}]+)}", lambda m: params[m.group(1).rstrip("+")], resource)
    event = request_event(
        method,
        resource,
        path,
        '{"text": "Спасибо за отзыв"}'.encode(),
        params or None,
        headers={"Authorization": "Bearer test-token"},
    )
    event["requestContext"]["requestId"] = f"req-{uuid.uuid4()}"
    return event


def _crash(*_args: object) -> Any:
    raise RuntimeError(SECRET)


@pytest.fixture
def failing_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each app's service fails with customer text in the error, from the first request on."""
    for builder in BUILDERS.values():
        monkeypatch.setattr(builder, "build", _crash)


@pytest.fixture
def logs(
    stack: Stack, failing_services: None, caplog: pytest.LogCaptureFixture
) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of the apps (loaded over the failing builders), Chalice's own loggers included:
    they do not propagate, and they are where an unwrapped view's traceback would go."""
    caplog.set_level(logging.INFO)
    apps = []
    for function in APPS:
        stack.use_environment(function)
        apps.append(stack.handler_module(function).app)
    for app in apps:
        app.log.addHandler(caplog.handler)
    yield caplog
    for app in apps:
        app.log.removeHandler(caplog.handler)


def test_both_apps_have_routes_to_check() -> None:
    assert {function for function, _, _ in SERVICE_ROUTES} == set(APPS)
    assert ("OpsApiFunction", "POST", "/tickets/{id}/reply") in SERVICE_ROUTES
    assert ("IngestWebhookFunction", "POST", "/webhooks/{source}") in SERVICE_ROUTES


@pytest.mark.parametrize(("function", "method", "resource"), SERVICE_ROUTES)
def test_a_route_whose_service_fails_answers_the_documented_500(
    stack: Stack, logs: pytest.LogCaptureFixture, function: str, method: str, resource: str
) -> None:
    # Given the app's service fails with customer text in the error
    event = _event(method, resource)
    request_id = event["requestContext"]["requestId"]

    # When the route is called
    response = stack.invoke(function, event)

    # Then the answer is the documented 500, with the request id and nothing of the error
    assert response["statusCode"] == 500
    assert response["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response["body"]) == {
        "error": {
            "code": "internal_error",
            "message": "something went wrong on our side; the request id says where to look",
            "details": [{"request_id": request_id}],
        }
    }
    # And the log names the request and the error class, never its message
    failures = [r for r in logs.records if r.levelno >= logging.ERROR]
    assert [(getattr(r, "request_id", None), getattr(r, "error", None)) for r in failures] == [
        (request_id, "RuntimeError")
    ]
    assert "secret customer text" not in logs.text


@pytest.mark.parametrize(("function", "method", "resource"), sorted(SERVICE_FREE))
def test_a_route_that_needs_no_service_answers_while_the_service_fails(
    stack: Stack, failing_services: None, function: str, method: str, resource: str
) -> None:
    # /health says the API is up even when what is behind it is not, /openapi.json describes it, and
    # the dashboard's page loads (it shows the service's own errors once it calls it)
    response = stack.invoke(function, _event(method, resource))
    assert response["statusCode"] == 200
