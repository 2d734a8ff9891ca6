"""`otklik reports build`: fires the local stack's report schedule with a period (or invokes the deployed
function), says which report it built, and refuses bad input or a failed build in one line."""

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
from otklik.entrypoints import cli_reports
from otklik.entrypoints.cli import build_parser


class FakeStack:
    """The local stack's /_local/schedules route: records each body, answers what the function returned."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.bodies: list[tuple[str, Any]] = []
        stack = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stack.bodies.append((self.path, json.loads(body)))
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def built_stack(loopback: None) -> Iterator[FakeStack]:
    stack = FakeStack({"reports": ["day-2026-11-22"]})
    yield stack
    stack.server.shutdown()


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_reports.run(build_parser().parse_args(["reports", "build", *argv]), out, err)
    return code, out.getvalue(), err.getvalue()


def test_it_fires_the_local_stacks_schedule_with_the_period(built_stack: FakeStack) -> None:
    code, out, err = _run("--period", "day", "--key", "2026-11-22", "--stack-url", built_stack.url)

    assert (code, err) == (0, "")
    assert out == "built day-2026-11-22: GET /reports/day-2026-11-22\n"
    assert built_stack.bodies == [
        ("/_local/schedules/BuildReportsFunction", {"period": "day", "key": "2026-11-22"})
    ]


def test_a_key_that_names_no_period_is_refused_before_anything_is_asked(built_stack: FakeStack) -> None:
    code, out, err = _run("--period", "week", "--key", "2026-W60", "--stack-url", built_stack.url)

    assert (code, out) == (2, "")
    assert err.startswith("otklik: --key: a week is written like 2026-W48")
    assert built_stack.bodies == []


def test_a_build_the_function_refused_or_a_stack_that_is_down_is_said_in_one_line(loopback: None) -> None:
    refused = FakeStack({"error": "period must be one of day, week, month", "reports": []})
    try:
        code, _, err = _run("--period", "day", "--key", "2026-11-22", "--stack-url", refused.url)
    finally:
        refused.server.shutdown()
    assert code == 2 and "was not built: period must be one of" in err

    code, _, err = _run("--period", "day", "--key", "2026-11-22", "--stack-url", "http://127.0.0.1:9")
    assert code == 2 and err.count("\n") == 1 and "did not build it" in err


def test_on_aws_it_invokes_the_function_with_the_period_as_its_detail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = boto3.client(
        "lambda", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    payload = json.dumps({"reports": ["week-2026-W48"]}).encode()
    with Stubber(client) as stubbed:
        stubbed.add_response(
            "invoke",
            {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(payload), len(payload))},
            {
                "FunctionName": "otklik-BuildReportsFunction",
                "Payload": json.dumps({"detail": {"period": "week", "key": "2026-W48"}}).encode(),
            },
        )
        monkeypatch.setattr(aws, "client", lambda service, attempts=5: client)

        code, out, _ = _run(
            "--period", "week", "--key", "2026-W48", "--function", "otklik-BuildReportsFunction"
        )

        stubbed.assert_no_pending_responses()
    assert code == 0 and out.startswith("built week-2026-W48")
