"""ops_api on moto: Bearer auth, JSON 400s and 404s, and the Chalice routes matching template.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event

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
