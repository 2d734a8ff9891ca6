"""API Gateway proxy events built from the samples in events/, for invoking the Chalice apps directly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"


def _sample(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EVENTS / name).read_text("utf-8"))
    return document


def webhook_event(body: bytes, signature: str | None, source: str = "custom") -> dict[str, Any]:
    event = copy.deepcopy(_sample("api_post_webhook_custom.json"))
    event["path"] = f"/webhooks/{source}"
    event["pathParameters"] = {"source": source}
    event["body"] = body.decode("utf-8")
    headers = {k: v for k, v in event["headers"].items() if k != "X-Otklik-Signature"}
    if signature is not None:
        headers["X-Otklik-Signature"] = signature
    event["headers"] = headers
    event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    return event


def ops_event(
    resource: str,
    path: str,
    query: dict[str, str] | None = None,
    token: str | None = "test-token",
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    event = copy.deepcopy(_sample("api_get_tickets_open.json"))
    headers = {k: v for k, v in event["headers"].items() if k != "Authorization"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    event.update(
        resource=resource,
        path=path,
        headers=headers,
        multiValueHeaders={k: [v] for k, v in headers.items()},
        queryStringParameters=query or None,
        multiValueQueryStringParameters={k: [v] for k, v in query.items()} if query else None,
        pathParameters=path_parameters,
    )
    event["requestContext"]["resourcePath"] = resource
    return event


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def request_event(
    method: str,
    resource: str,
    path: str,
    body: bytes | None,
    path_parameters: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str = "203.0.113.10",
) -> dict[str, Any]:
    """Any API Gateway proxy event, shaped like the samples in events/."""
    event = copy.deepcopy(_sample("api_post_webhook_custom.json"))
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    event.update(
        resource=resource,
        path=path,
        httpMethod=method,
        headers=all_headers,
        multiValueHeaders={k: [v] for k, v in all_headers.items()},
        pathParameters=path_parameters,
        body=body.decode("utf-8") if body is not None else None,
    )
    event["requestContext"].update(resourcePath=resource, httpMethod=method)
    event["requestContext"]["identity"]["sourceIp"] = source_ip
    return event
