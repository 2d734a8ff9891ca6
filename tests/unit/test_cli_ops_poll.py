"""`otklik poll` fires the local stack's poll schedule (or invokes the deployed function) and prints what each
stream read; `otklik backfill` is refused, asking nothing."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from otklik.adapters import aws
from otklik.entrypoints.cli import build_parser
from otklik.entrypoints.cli_poll import run

POLLED = {
    "read_back": {"published": 2, "pending": 1, "refused": 0},
    "streams": [
        {
            "connection": "wb-main",
            "stream": "feedbacks",
            "ingested": 12,
            "pages": 2,
            "malformed": 1,
            "error": None,
        },
        {
            "connection": "ozon-1",
            "stream": "reviews",
            "ingested": 0,
            "pages": 0,
            "malformed": 0,
            "error": None,
        },
    ],
}


class FakeStack:
    """The local stack's /_local/schedules route: records each body, answers the status and JSON given."""

    def __init__(self, status: int, answer: dict[str, Any]) -> None:
        self.bodies: list[tuple[str, Any]] = []
        stack = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stack.bodies.append((self.path, json.loads(body)))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def stack(loopback: None) -> Iterator[FakeStack]:
    fake = FakeStack(200, POLLED)
    yield fake
    fake.server.shutdown()


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(build_parser().parse_args(list(argv)), out, err, {})
    return code, out.getvalue(), err.getvalue()


def test_poll_force_fires_the_poll_schedule_with_force_and_prints_each_stream(stack: FakeStack) -> None:
    code, out, err = _run("poll", "--force", "--stack-url", stack.url)

    assert (code, err) == (0, "")
    assert stack.bodies == [("/_local/schedules/PollMarketplacesFunction", {"force": True})]
    assert out.splitlines() == [
        "wb-main feedbacks: 12 in, 2 page(s), 1 malformed (skipped, see the logs)",
        "ozon-1 reviews: 0 in, 0 page(s)",
        "replies read back: 2 published, 1 pending, 0 refused by the platform",
    ]


def test_poll_without_force_polls_only_the_due_connections(stack: FakeStack) -> None:
    _run("poll", "--stack-url", stack.url)

    assert stack.bodies == [("/_local/schedules/PollMarketplacesFunction", {})]


def test_a_stream_that_stopped_is_said_and_exits_1(loopback: None) -> None:
    stopped = FakeStack(
        200, {"streams": [{"connection": "ym", "stream": "goods", "error": "HTTP 401: bad token"}]}
    )
    try:
        code, out, _ = _run("poll", "--force", "--stack-url", stopped.url)
    finally:
        stopped.server.shutdown()

    assert code == 1
    assert (
        out == "ym goods: 0 in, 0 page(s); stopped: HTTP 401: bad token (resumes from its cursor next time)\n"
    )


def test_a_poll_that_failed_or_a_stack_that_is_down_is_one_line(loopback: None) -> None:
    failed = FakeStack(
        502, {"message": "Internal server error", "errorType": "KeyError", "errorMessage": "'x'"}
    )
    try:
        code, out, err = _run("poll", "--force", "--stack-url", failed.url)
    finally:
        failed.server.shutdown()
    assert (code, out, err) == (2, "", "otklik: PollMarketplacesFunction failed: KeyError: 'x'\n")

    code, _, err = _run("poll", "--stack-url", "http://127.0.0.1:9")
    assert code == 1 and err.startswith("otklik: cannot reach http://127.0.0.1:9") and err.count("\n") == 1


def test_a_stack_url_that_is_not_local_is_refused_before_any_request(loopback: None) -> None:
    code, _, err = _run("poll", "--force", "--stack-url", "https://api.example.com")

    assert code == 2 and "a deployed one is polled with --function" in err


def test_on_aws_it_invokes_the_function_with_force_as_its_detail(monkeypatch: pytest.MonkeyPatch) -> None:
    client = boto3.client(
        "lambda", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    payload = json.dumps(POLLED).encode()
    with Stubber(client) as stubbed:
        stubbed.add_response(
            "invoke",
            {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(payload), len(payload))},
            {"FunctionName": "otklik-Poll", "Payload": json.dumps({"detail": {"force": True}}).encode()},
        )
        monkeypatch.setattr(aws, "client", lambda service, attempts=5: client)

        code, out, _ = _run("poll", "--force", "--function", "otklik-Poll")

        stubbed.assert_no_pending_responses()
    assert code == 0 and out.startswith("wb-main feedbacks: 12 in")


def test_backfill_is_refused_saying_why_and_asks_nothing(stack: FakeStack) -> None:
    code, out, err = _run("backfill", "--since", "2026-11-01", "--connection", "wb-main")

    assert (code, out) == (2, "")
    assert err.startswith(
        "otklik: backfill is not possible yet: polls read each stream forward from its cursor"
    )
    assert stack.bodies == []


def test_backfill_names_a_since_that_is_not_a_day(loopback: None) -> None:
    assert _run("backfill", "--since", "2026-13-01") == (
        2,
        "",
        "otklik: --since: '2026-13-01' is not a day YYYY-MM-DD\n",
    )
