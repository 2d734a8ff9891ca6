"""The outgoing HTTP client: transient failures are retried with growing pauses, permanent ones are not."""

from __future__ import annotations

import email.message
import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from otklik.adapters.http import HttpClient, HttpError

URL = "https://hooks.example.test/services/T000/B000/XXXX"


class Answer:
    """What urlopen hands back inside its with-block."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self._body = body
        self.headers = email.message.Message()
        self.headers["Content-Type"] = "text/plain"

    def read(self) -> bytes:
        return self._body


def http_error(status: int, body: bytes = b"") -> urllib.error.HTTPError:
    return urllib.error.HTTPError(URL, status, "error", email.message.Message(), io.BytesIO(body))


class ScriptedServer:
    """Answers each urlopen call with the next outcome: an Answer, or an exception to raise."""

    def __init__(self, *outcomes: Answer | Exception) -> None:
        self._outcomes = list(outcomes)
        self.requests: list[urllib.request.Request] = []

    @contextmanager
    def urlopen(self, request: urllib.request.Request, timeout: float) -> Iterator[Answer]:
        self.requests.append(request)
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        yield outcome


@pytest.fixture
def sleeps() -> list[float]:
    return []


def serve(monkeypatch: pytest.MonkeyPatch, *outcomes: Answer | Exception) -> ScriptedServer:
    server = ScriptedServer(*outcomes)
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    return server


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
