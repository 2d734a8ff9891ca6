"""`otklik reports build`: fires the local stack's report schedule with a period (or invokes the deployed
function), says which report it built, and refuses bad input or a failed build in one line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from otklik.adapters import aws
from otklik.entrypoints import cli_reports
from otklik.entrypoints.cli import build_parser
from tests.support.loopback import JsonServer

BUILT = (200, {"reports": ["day-2026-11-22"]})


@pytest.fixture
def built_stack(loopback: None) -> Iterator[JsonServer]:
    with JsonServer(default=BUILT) as stack:
        yield stack


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_reports.run(build_parser().parse_args(["reports", "build", *argv]), out, err, {})
    return code, out.getvalue(), err.getvalue()


def test_it_fires_the_local_stacks_schedule_with_the_period(built_stack: JsonServer) -> None:
    code, out, err = _run("--period", "day", "--key", "2026-11-22", "--stack-url", built_stack.url())

    assert (code, err) == (0, "")
    assert out == "built day-2026-11-22: GET /reports/day-2026-11-22\n"
    assert built_stack.bodies() == [
        ("/_local/schedules/BuildReportsFunction", {"period": "day", "key": "2026-11-22"})
    ]


def test_a_key_that_names_no_period_is_refused_before_anything_is_asked(built_stack: JsonServer) -> None:
    code, out, err = _run("--period", "week", "--key", "2026-W60", "--stack-url", built_stack.url())

    assert (code, out) == (2, "")
    assert err.startswith("otklik: --key: a week is written like 2026-W48")
    assert built_stack.bodies() == []


def test_a_build_the_function_refused_or_a_stack_that_is_down_is_said_in_one_line(loopback: None) -> None:
    with JsonServer(
        default=(200, {"error": "period must be one of day, week, month", "reports": []})
    ) as refused:
        code, _, err = _run("--period", "day", "--key", "2026-11-22", "--stack-url", refused.url())
    assert code == 2 and "was not built: period must be one of" in err

    # A stack that is down is exit 1, as every command says an unreachable API
    code, _, err = _run("--period", "day", "--key", "2026-11-22", "--stack-url", "http://127.0.0.1:9")
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("otklik: cannot reach http://127.0.0.1:9") and "make run" in err


def test_a_failed_build_names_the_functions_error(loopback: None) -> None:
    failure = {"message": "Internal server error", "errorType": "KeyError", "errorMessage": "'period'"}
    with JsonServer(default=(502, failure)) as failed:
        code, out, err = _run("--period", "day", "--key", "2026-11-22", "--stack-url", failed.url())

    assert (code, out, err) == (2, "", "otklik: BuildReportsFunction failed: KeyError: 'period'\n")


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
        monkeypatch.setattr(aws, "client", lambda service, attempts=5, read_timeout=10: client)

        code, out, _ = _run(
            "--period", "week", "--key", "2026-W48", "--function", "otklik-BuildReportsFunction"
        )

        stubbed.assert_no_pending_responses()
    assert code == 0 and out.startswith("built week-2026-W48")
