"""ops_api on moto: Bearer auth, JSON 400s and 404s, and the Chalice routes matching template.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event, request_event

FUNCTION = "OpsApiFunction"


def _call(stack: Stack, resource: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response: dict[str, Any] = stack.invoke(FUNCTION, ops_event(resource, path, **kwargs))
    return response


def test_health_needs_no_token(stack: Stack) -> None:
    response = _call(stack, "/health", "/health", token=None)
    assert (response["statusCode"], body_of(response)) == (200, {"status": "ok"})


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_data_routes_refuse_a_missing_or_wrong_token(stack: Stack, token: str | None) -> None:
    response = _call(stack, "/tickets", "/tickets", token=token, query={"status": "open"})
    assert response["statusCode"] == 401
    assert body_of(response)["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("resource", "path", "query"),
    [
        ("/feedback", "/feedback", {}),
        ("/feedback", "/feedback", {"day": "2026-13-01"}),
        ("/tickets", "/tickets", {"status": "lost"}),
        ("/tickets", "/tickets", {"status": "open", "limit": "0"}),
        ("/notifications", "/notifications", {}),
        ("/aggregates", "/aggregates", {"day": "yesterday"}),
        ("/feedback", "/feedback", {"day": "2026-11-22", "cursor": "%%%not-a-cursor"}),
    ],
)
def test_bad_parameters_are_json_400s(stack: Stack, resource: str, path: str, query: dict[str, str]) -> None:
    response = _call(stack, resource, path, query=query)
    assert response["statusCode"] == 400
    assert body_of(response)["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("resource", "path", "params", "query"),
    [
        ("/feedback/{id}", "/feedback/fb_nope", {"id": "fb_nope"}, None),
        ("/tickets/{id}", "/tickets/tk_nope", {"id": "tk_nope"}, None),
        ("/notifications", "/notifications", None, {"ticket_id": "tk_nope"}),
    ],
)
def test_unknown_ids_are_json_404s(
    stack: Stack, resource: str, path: str, params: dict[str, str] | None, query: dict[str, str] | None
) -> None:
    response = _call(stack, resource, path, path_parameters=params, query=query)
    assert response["statusCode"] == 404
    assert body_of(response)["error"]["code"] == "not_found"


def test_an_empty_day_has_zero_aggregates(stack: Stack) -> None:
    response = _call(stack, "/aggregates", "/aggregates", query={"day": "2026-01-01"})
    assert response["statusCode"] == 200
    answer = body_of(response)
    assert answer["all"]["total"] == 0
    assert answer["all"]["rating_average"] is None
    assert answer["sources"] == {}


def _request(stack: Stack, method: str, resource: str, path: str, **kwargs: Any) -> dict[str, Any]:
    headers = {"Authorization": "Bearer test-token", **kwargs.pop("headers", {})}
    event = request_event(method, resource, path, kwargs.pop("body", None), headers=headers, **kwargs)
    response: dict[str, Any] = stack.invoke(FUNCTION, event)
    return response


def test_a_reply_body_that_is_not_json_is_a_400_not_a_500(stack: Stack) -> None:
    # Regression: Chalice's json_body raised its own BadRequestError, which answers_errors took for a crash
    response = _request(
        stack,
        "POST",
        "/tickets/{id}/reply",
        "/tickets/tk_1/reply",
        body=b'{"text": ',
        path_parameters={"id": "tk_1"},
    )
    assert response["statusCode"] == 400
    assert body_of(response)["error"] == {
        "code": "bad_request",
        "message": "the body is not valid JSON: Expecting value at line 1",
    }


def test_a_reply_as_plain_text_is_415(stack: Stack) -> None:
    response = _request(
        stack,
        "POST",
        "/tickets/{id}/reply",
        "/tickets/tk_1/reply",
        body=b"approve it",
        path_parameters={"id": "tk_1"},
        headers={"Content-Type": "text/plain"},
    )
    assert response["statusCode"] == 415
    assert body_of(response)["error"]["code"] == "unsupported_media_type"


def test_a_wrong_method_is_405_naming_the_right_one(stack: Stack) -> None:
    response = _request(stack, "DELETE", "/tickets", "/tickets")
    assert (response["statusCode"], response["headers"]["Allow"]) == (405, "GET")
    assert body_of(response)["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("resource", "path", "params"),
    [("/{proxy+}", "/no/such/route", {"proxy": "no/such/route"}), ("/", "/", None)],
)
def test_the_catch_all_routes_answer_404(
    stack: Stack, resource: str, path: str, params: dict[str, str] | None
) -> None:
    response = _request(stack, "GET", resource, path, path_parameters=params)
    assert response["statusCode"] == 404
    assert body_of(response)["error"] == {"code": "not_found", "message": f"no route GET {path}"}
