"""The HTTP edge over real HTTP, through the local API Gateway: unknown paths, wrong methods and media
types are answered by the apps themselves, in the documented {"error": {code, message}} shape."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import TOKEN, RunningStack

JSON_UTF8 = "application/json; charset=utf-8"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def send(
    stack: RunningStack,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request; unlike RunningStack.request, the answer keeps its headers (Allow, Content-Type)."""
    request = urllib.request.Request(stack.api_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Answer(answer.status, dict(answer.headers.items()), json.loads(answer.read() or b"null"))
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), json.loads(error.read() or b"null"))


def assert_error(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status
    assert answer.headers["Content-Type"] == JSON_UTF8
    assert set(answer.body) == {"error"}
    assert answer.body["error"]["code"] == code
    assert isinstance(answer.body["error"]["message"], str)
    assert answer.body["error"]["message"]


@pytest.mark.parametrize("path", ["/no/such/route", "/", "/webhooks", "/tickets/tk_1/reply/extra"])
def test_an_unknown_path_is_404_in_our_shape(local_stack: RunningStack, path: str) -> None:
    answer = send(local_stack, "GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert_error(answer, 404, "not_found")
    assert answer.body["error"]["message"] == f"no route GET {path}"


def test_a_wrong_method_on_tickets_is_405_allowing_get(local_stack: RunningStack) -> None:
    answer = send(local_stack, "DELETE", "/tickets", headers={"Authorization": f"Bearer {TOKEN}"})
    assert_error(answer, 405, "method_not_allowed")
    assert answer.headers["Allow"] == "GET"


def test_a_get_on_the_webhook_is_405_allowing_post(local_stack: RunningStack) -> None:
    answer = send(local_stack, "GET", "/webhooks/custom")
    assert_error(answer, 405, "method_not_allowed")
    assert answer.headers["Allow"] == "POST"


def test_a_reply_as_plain_text_is_415(local_stack: RunningStack) -> None:
    answer = send(
        local_stack,
        "POST",
        "/tickets/tk_nope/reply",
        body=b"approve it",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
    )
    assert_error(answer, 415, "unsupported_media_type")


def test_a_reply_that_is_not_json_is_400(local_stack: RunningStack) -> None:
    answer = send(
        local_stack,
        "POST",
        "/tickets/tk_nope/reply",
        body=b'{"text": ',
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert_error(answer, 400, "bad_request")
