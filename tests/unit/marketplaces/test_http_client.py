"""HttpClient.request: any method, query and JSON body; rate limits wait as asked, up to a cap."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from otklik.adapters.http import HttpClient, HttpError
from tests.support.scripted_http import Answer, serve
from tests.support.scripted_http import refusal as scripted_refusal

URL = "https://feedbacks-api.example.test/api/v1/feedbacks"


def refusal(status: int, body: bytes = b"", **headers: str) -> urllib.error.HTTPError:
    return scripted_refusal(URL, status, body, **headers)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def test_a_get_carries_its_query_and_no_body(monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(monkeypatch, Answer(200, b'{"data": {}}'))

    response = HttpClient(sleep=lambda _: None).request(
        "GET",
        URL,
        params={"isAnswered": False, "take": 100, "skip": 0, "dateFrom": None, "order": "dateAsc"},
        headers={"Authorization": "wb-token"},
    )

    (request,) = server.requests
    assert request.get_method() == "GET"
    assert request.full_url == f"{URL}?isAnswered=false&take=100&skip=0&order=dateAsc"
    assert request.data is None
    assert request.get_header("Authorization") == "wb-token"
    assert response.json() == {"data": {}}


def test_a_patch_sends_its_json_body_as_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(monkeypatch, Answer(200, b""))

    response = HttpClient(sleep=lambda _: None).request(
        "PATCH", URL, json_body={"answer": {"text": "Спасибо"}}
    )

    (request,) = server.requests
    assert request.get_method() == "PATCH"
    assert isinstance(request.data, bytes)
    assert json.loads(request.data.decode("utf-8")) == {"answer": {"text": "Спасибо"}}
    assert request.get_header("Content-type") == "application/json; charset=utf-8"
    assert response.json() is None


def test_a_429_waits_the_seconds_wildberries_names_then_retries(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    server = serve(
        monkeypatch,
        refusal(429, b'{"title": "too many requests"}', X_Ratelimit_Retry="2"),
        Answer(200, b"{}"),
    )

    response = HttpClient(attempts=3, backoff_seconds=0.5, sleep=sleeps.append).request("GET", URL)

    assert response.status == 200
    assert len(server.requests) == 2
    assert sleeps == [2.0]


def test_a_420_waits_for_retry_after_but_never_longer_than_the_cap(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    serve(monkeypatch, refusal(420, b"Hit rate limit", Retry_After="3600"), Answer(200, b"{}"))

    HttpClient(sleep=sleeps.append, max_retry_after_seconds=20.0).request("POST", URL, json_body={})

    assert sleeps == [20.0]


def test_a_rate_limit_without_a_wait_header_backs_off_and_the_last_error_keeps_its_headers(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    serve(
        monkeypatch,
        refusal(429),
        refusal(429),
        refusal(429, b'{"title": "too many requests"}', X_Ratelimit_Retry="5", X_Ratelimit_Limit="3"),
    )

    with pytest.raises(HttpError) as caught:
        HttpClient(attempts=3, backoff_seconds=0.5, sleep=sleeps.append).request("GET", URL)

    assert sleeps == [0.5, 1.0]
    assert caught.value.status == 429
    assert caught.value.transient is True
    assert caught.value.header("x-ratelimit-retry") == "5"
    assert caught.value.retry_after_seconds == 5.0


def test_a_404_is_not_retried(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    server = serve(monkeypatch, refusal(404, b'{"errors": [{"code": "NOT_FOUND"}]}'), Answer(200, b"{}"))

    with pytest.raises(HttpError) as caught:
        HttpClient(sleep=sleeps.append).request("GET", URL)

    assert (caught.value.status, caught.value.transient) == (404, False)
    assert len(server.requests) == 1
    assert sleeps == []
