"""The shared fake-server machinery: routing, request log, scripted faults, throttling, threads, ports."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any

import pytest

from infra.fakes.server import FakeMarketplace, FakeRequest, FakeResponse, TokenBucket
from tests.fakes.loopback import call

pytestmark = pytest.mark.integration

KEY = {"X-Key": "secret"}


class EchoFake(FakeMarketplace):
    """The smallest platform: one authenticated route that echoes its path parameter."""

    platform = "echo"

    def __init__(self) -> None:
        super().__init__()
        self._route("GET", "/things/{thing_id}", self._thing)

    def _thing(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(HTTPStatus.OK, {"id": request.params["thing_id"]})

    def _authenticate(self, request: FakeRequest) -> FakeResponse | None:
        return None if request.header("X-Key") == "secret" else self._error(401, "who are you")

    def _error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(status, {"problem": message})

    def _rate_limited(self, retry_after: float, bucket: TokenBucket | None) -> FakeResponse:
        return FakeResponse(429, {"problem": "slow down"}, {"Retry-After": str(retry_after)})


def test_routes_by_method_and_path_and_answers_json() -> None:
    with EchoFake() as fake:
        reply = call("GET", f"{fake.url}/things/42", headers=KEY)
        unknown = call("GET", f"{fake.url}/nothing", headers=KEY)
        wrong_method = call("POST", f"{fake.url}/things/42", headers=KEY, json_body={})

    assert (reply.status, reply.body) == (200, {"id": "42"})
    assert unknown.status == 404
    assert wrong_method.status == 405


def test_every_request_is_logged_with_its_answer() -> None:
    with EchoFake() as fake:
        call("GET", f"{fake.url}/things/1?verbose=yes", headers=KEY)
        call("GET", f"{fake.url}/things/2")

    first, second = fake.requests
    assert (first.path, first.query, first.status) == ("/things/1", {"verbose": ["yes"]}, 200)
    assert (second.path, second.status) == ("/things/2", 401)
    assert first.headers["x-key"] == "secret"


def test_fail_next_answers_the_scripted_status_for_exactly_n_requests_then_recovers() -> None:
    with EchoFake() as fake:
        fake.fail_next(503, times=2)
        statuses = [call("GET", f"{fake.url}/things/1", headers=KEY).status for _ in range(3)]

    assert statuses == [503, 503, 200]


def test_fail_next_can_carry_its_own_headers_and_body_and_queues_up() -> None:
    with EchoFake() as fake:
        fake.fail_next(502, headers={"Retry-After": "7"}, body={"oops": True})
        fake.fail_next(500)
        first = call("GET", f"{fake.url}/things/1", headers=KEY)
        second = call("GET", f"{fake.url}/things/1", headers=KEY)

    assert (first.status, first.header("Retry-After"), first.body) == (502, "7", {"oops": True})
    assert (second.status, second.body) == (500, {"problem": "scripted failure 500"})


def test_rate_limit_refuses_beyond_the_burst_and_rate_limit_next_forces_it() -> None:
    with EchoFake() as fake:
        fake.rate_limit(per_second=0.5, burst=2)
        bursts = [call("GET", f"{fake.url}/things/1", headers=KEY).status for _ in range(3)]
        fake.no_rate_limit()
        fake.rate_limit_next()
        forced = call("GET", f"{fake.url}/things/1", headers=KEY).status
        after = call("GET", f"{fake.url}/things/1", headers=KEY).status

    assert bursts == [200, 200, 429]
    assert (forced, after) == (429, 200)


def test_concurrent_requests_consume_each_scripted_fault_once() -> None:
    with EchoFake() as fake:
        fake.fail_next(503, times=5)

        def one(_: Any) -> int:
            return call("GET", f"{fake.url}/things/1", headers=KEY).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(one, range(20)))

    assert statuses.count(503) == 5
    assert statuses.count(200) == 15


def test_port_zero_gives_each_fake_its_own_free_port_and_stop_releases_it() -> None:
    with EchoFake() as first, EchoFake() as second:
        ports = {first.port, second.port}
        url = first.url

    assert len(ports) == 2
    with pytest.raises(RuntimeError):
        _ = first.url
    with pytest.raises(OSError):
        call("GET", f"{url}/things/1", headers=KEY)


def test_token_bucket_refills_at_its_rate() -> None:
    now = [100.0]
    bucket = TokenBucket(per_second=2, burst=2, clock=lambda: now[0])

    assert [bucket.take(), bucket.take()] == [0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take() == 0.0
    assert bucket.seconds_until_full() == pytest.approx(1.0)
