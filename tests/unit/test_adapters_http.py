"""The outgoing HTTP client: transient failures are retried with growing pauses, permanent ones are not."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from otklik.adapters.http import HttpClient, HttpError
from tests.support.scripted_http import Answer as ScriptedAnswer
from tests.support.scripted_http import refusal, serve

URL = "https://hooks.example.test/services/T000/B000/XXXX"


def Answer(status: int, body: bytes) -> ScriptedAnswer:
    return ScriptedAnswer(status, body, "text/plain")


def http_error(status: int, body: bytes = b"") -> urllib.error.HTTPError:
    return refusal(URL, status, body)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def test_a_503_is_retried_after_a_pause_and_the_later_200_returned(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    server = serve(monkeypatch, http_error(503, b"busy"), Answer(200, b"ok"))
    client = HttpClient(attempts=3, backoff_seconds=0.5, sleep=sleeps.append)

    response = client.post_json(URL, {"text": "hi"})

    assert (response.status, response.body) == (200, b"ok")
    assert len(server.requests) == 2
    assert sleeps == [0.5]


def test_pauses_double_between_attempts_and_the_last_error_is_raised(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    server = serve(monkeypatch, http_error(503), http_error(502), http_error(429, b"slow down"))
    client = HttpClient(attempts=3, backoff_seconds=0.5, sleep=sleeps.append)

    with pytest.raises(HttpError) as caught:
        client.post_json(URL, {"text": "hi"})

    assert caught.value.status == 429
    assert caught.value.transient is True
    assert "slow down" in str(caught.value)
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_a_400_is_not_retried(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    server = serve(monkeypatch, http_error(400, b"invalid_payload"), Answer(200, b"ok"))
    client = HttpClient(attempts=3, sleep=sleeps.append)

    with pytest.raises(HttpError) as caught:
        client.post_json(URL, {"text": "hi"})

    assert caught.value.status == 400
    assert caught.value.transient is False
    assert caught.value.detail == "invalid_payload"
    assert len(server.requests) == 1
    assert sleeps == []


def test_an_unreachable_server_is_status_0_retried_up_to_the_attempts_then_raised(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    refused = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    server = serve(monkeypatch, refused, TimeoutError("timed out"), ConnectionResetError("reset"))
    client = HttpClient(attempts=3, backoff_seconds=0.25, sleep=sleeps.append)

    with pytest.raises(HttpError) as caught:
        client.post_json(URL, {"text": "hi"})

    assert caught.value.status == 0
    assert caught.value.transient is True
    assert URL in str(caught.value)
    assert len(server.requests) == 3
    assert sleeps == [0.25, 0.5]


def test_the_payload_is_posted_as_utf8_json_with_the_callers_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(monkeypatch, Answer(200, b"ok"))
    client = HttpClient(sleep=lambda _: None)

    client.post_json(URL, {"text": "Порвалось через день"}, headers={"X-Request-Id": "r-1"})

    (request,) = server.requests
    assert request.get_method() == "POST"
    assert request.full_url == URL
    assert isinstance(request.data, bytes)
    assert json.loads(request.data.decode("utf-8")) == {"text": "Порвалось через день"}
    assert "Порвалось".encode() in request.data
    assert request.get_header("Content-type") == "application/json; charset=utf-8"
    assert request.get_header("X-request-id") == "r-1"
