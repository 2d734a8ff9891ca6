"""The outgoing HTTP client: what cannot have arrived is retried with growing pauses; a refusal for good,
or a POST that may have arrived, is not."""

from __future__ import annotations

import http.client
import json
import socket
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


def test_a_connection_that_never_opened_is_status_0_retried_up_to_the_attempts_then_raised(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    # urllib wraps in URLError what fails while connecting and sending: refused, DNS, connect timeout
    refused = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    unknown_host = urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))
    connect_timeout = urllib.error.URLError(TimeoutError("timed out"))
    server = serve(monkeypatch, refused, unknown_host, connect_timeout)
    client = HttpClient(attempts=3, backoff_seconds=0.25, sleep=sleeps.append)

    with pytest.raises(HttpError) as caught:
        client.post_json(URL, {"text": "hi"})

    assert (caught.value.status, caught.value.transient) == (0, True)
    assert (caught.value.cause, caught.value.may_have_arrived) == ("TimeoutError", False)
    assert URL in str(caught.value)
    assert URL not in caught.value.summary
    assert len(server.requests) == 3
    assert sleeps == [0.25, 0.5]


@pytest.mark.parametrize(
    "after_sending",
    [
        TimeoutError("timed out"),
        ConnectionResetError(104, "Connection reset by peer"),
        http.client.RemoteDisconnected("Remote end closed connection without response"),
        http.client.IncompleteRead(b"o", 1),
    ],
)
def test_a_post_with_no_answer_after_it_was_sent_is_not_sent_again(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], after_sending: Exception
) -> None:
    # Given a server that took the request and gave no (whole) answer: it may have acted on it
    server = serve(monkeypatch, after_sending, Answer(200, b"ok"))
    client = HttpClient(attempts=3, sleep=sleeps.append)

    with pytest.raises(HttpError) as caught:
        client.post_json(URL, {"text": "hi"})

    # Then the POST is not repeated: the caller learns it may have arrived
    assert len(server.requests) == 1
    assert sleeps == []
    assert (caught.value.status, caught.value.may_have_arrived) == (0, True)
    assert caught.value.cause == type(after_sending).__name__
    assert caught.value.summary == f"no answer after sending ({type(after_sending).__name__})"


def test_an_idempotent_request_with_no_answer_is_sent_again(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    server = serve(monkeypatch, TimeoutError("timed out"), Answer(200, b"{}"))

    response = HttpClient(attempts=3, backoff_seconds=0.5, sleep=sleeps.append).request("GET", URL)

    assert response.status == 200
    assert len(server.requests) == 2
    assert sleeps == [0.5]


@pytest.mark.parametrize("status", [500, 501, 502, 503, 504, 507, 599])
def test_every_5xx_is_transient_the_server_answered_that_it_could_not(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], status: int
) -> None:
    server = serve(monkeypatch, http_error(status), Answer(200, b"ok"))

    response = HttpClient(attempts=2, sleep=sleeps.append).post_json(URL, {"text": "hi"})

    assert response.status == 200
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 413, 422])
def test_a_4xx_other_than_408_425_429_is_permanent(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], status: int
) -> None:
    server = serve(monkeypatch, http_error(status), Answer(200, b"ok"))

    with pytest.raises(HttpError) as caught:
        HttpClient(attempts=3, sleep=sleeps.append).post_json(URL, {"text": "hi"})

    assert caught.value.transient is False
    assert len(server.requests) == 1


def test_a_503_waits_the_seconds_its_retry_after_names(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    server = serve(monkeypatch, refusal(URL, 503, b"maintenance", Retry_After="4"), Answer(200, b"ok"))

    HttpClient(attempts=2, backoff_seconds=0.5, sleep=sleeps.append).post_json(URL, {"text": "hi"})

    assert sleeps == [4.0]
    assert len(server.requests) == 2


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
