"""`otklik poll` fires the local stack's poll schedule (or invokes the deployed function) and prints what each
stream read; `otklik backfill` asks the same function to read again from a day, and refuses a bad day or
connection in one line."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from otklik.adapters import aws
from otklik.domain.marketplaces.backfill import DAYS_ZONE
from otklik.entrypoints import cli, cli_progress
from otklik.entrypoints.cli import build_parser
from otklik.entrypoints.cli_poll import run
from tests.support.loopback import JsonServer

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


@pytest.fixture
def stack(loopback: None) -> Iterator[JsonServer]:
    with JsonServer(default=(200, POLLED)) as fake:
        yield fake


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(build_parser().parse_args(list(argv)), out, err, {})
    return code, out.getvalue(), err.getvalue()


def test_poll_force_fires_the_poll_schedule_with_force_and_prints_each_stream(stack: JsonServer) -> None:
    code, out, err = _run("poll", "--force", "--stack-url", stack.url())

    assert (code, err) == (0, "")
    assert stack.bodies() == [("/_local/schedules/PollMarketplacesFunction", {"force": True})]
    assert out.splitlines() == [
        "wb-main feedbacks: 12 in, 2 page(s), 1 malformed (skipped, see the logs)",
        "ozon-1 reviews: 0 in, 0 page(s)",
        "replies read back: 2 published, 1 pending, 0 refused by the platform",
    ]


def test_poll_without_force_polls_only_the_due_connections(stack: JsonServer) -> None:
    _run("poll", "--stack-url", stack.url())

    assert stack.bodies() == [("/_local/schedules/PollMarketplacesFunction", {})]


def test_a_stream_that_stopped_is_said_and_exits_1(stack: JsonServer) -> None:
    stack.default = (
        200,
        {"streams": [{"connection": "ym", "stream": "goods", "error": "HTTP 401: bad token"}]},
    )

    code, out, _ = _run("poll", "--force", "--stack-url", stack.url())

    assert code == 1
    assert (
        out == "ym goods: 0 in, 0 page(s); stopped: HTTP 401: bad token (resumes from its cursor next time)\n"
    )


def test_a_poll_that_failed_or_a_stack_that_is_down_is_one_line(stack: JsonServer) -> None:
    stack.default = (
        502,
        {"message": "Internal server error", "errorType": "KeyError", "errorMessage": "'x'"},
    )

    code, out, err = _run("poll", "--force", "--stack-url", stack.url())
    assert (code, out, err) == (2, "", "otklik: PollMarketplacesFunction failed: KeyError: 'x'\n")

    code, _, err = _run("poll", "--stack-url", "http://127.0.0.1:9")
    assert code == 1 and err.startswith("otklik: cannot reach http://127.0.0.1:9") and err.count("\n") == 1


def test_a_stack_url_that_is_not_local_is_refused_before_any_request(loopback: None) -> None:
    code, _, err = _run("poll", "--force", "--stack-url", "https://api.example.com")

    assert code == 2 and "a deployed one is reached with --function" in err


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
        monkeypatch.setattr(aws, "client", lambda service, attempts=5, read_timeout=10: client)

        code, out, _ = _run("poll", "--force", "--function", "otklik-Poll")

        stubbed.assert_no_pending_responses()
    assert code == 0 and out.startswith("wb-main feedbacks: 12 in")


def test_poll_connection_polls_that_connection_now(stack: JsonServer) -> None:
    code, _, _ = _run("poll", "--connection", "wb-main", "--stack-url", stack.url())

    assert code == 0
    assert stack.bodies() == [("/_local/schedules/PollMarketplacesFunction", {"connection": "wb-main"})]


# ---------------------------------------------------------------- backfill

TODAY = datetime.now(DAYS_ZONE).date()
SINCE = (TODAY - timedelta(days=10)).isoformat()
BACKFILLED = {
    "backfill": {"since": SINCE, "until": "2026-12-02T21:00:00+00:00"},
    "streams": [
        {"connection": "wb-main", "stream": "feedbacks", "ingested": 7, "pages": 1, "malformed": 0},
        {"connection": "wb-main", "stream": "questions", "ingested": 2, "pages": 1, "malformed": 0},
    ],
}


def test_backfill_asks_the_poll_function_for_the_window_and_prints_each_stream(stack: JsonServer) -> None:
    # Given a stack whose poll function read two streams again
    stack.default = (200, BACKFILLED)
    # When one connection is backfilled from ten days ago
    code, out, err = _run("backfill", "--since", SINCE, "--connection", "wb-main", "--stack-url", stack.url())
    # Then the function was asked for that window, and what each stream read is printed
    assert (code, err) == (0, "")
    assert stack.bodies() == [
        (
            "/_local/schedules/PollMarketplacesFunction",
            {"backfill": {"since": SINCE, "connection": "wb-main"}},
        )
    ]
    assert out.splitlines() == [
        f"backfill from {SINCE} to 2026-12-02T21:00:00+00:00",
        "wb-main feedbacks: 7 in, 1 page(s)",
        "wb-main questions: 2 in, 1 page(s)",
        "read again: 9 item(s) from 2 stream(s) of 1 connection(s); those stored already are counted as"
        " duplicates, not stored twice",
    ]


def test_backfill_without_a_connection_asks_for_every_enabled_one(stack: JsonServer) -> None:
    stack.default = (200, BACKFILLED)

    _run("backfill", "--since", TODAY.isoformat(), "--stack-url", stack.url())

    assert stack.bodies() == [
        ("/_local/schedules/PollMarketplacesFunction", {"backfill": {"since": TODAY.isoformat()}})
    ]


@pytest.mark.parametrize(
    ("since", "says"),
    [
        ("2026-13-01", "otklik: --since: '2026-13-01' is not a day YYYY-MM-DD\n"),
        ("20261101", "otklik: --since: '20261101' is not a day YYYY-MM-DD\n"),
        (
            (TODAY + timedelta(days=1)).isoformat(),
            f"otklik: --since: {TODAY + timedelta(days=1)} is after today ({TODAY});"
            " a backfill reads what was written already\n",
        ),
        (
            (TODAY - timedelta(days=91)).isoformat(),
            f"otklik: --since: {TODAY - timedelta(days=91)} is more than 90 days back; the earliest day a"
            f" backfill reads today is {TODAY - timedelta(days=90)}\n",
        ),
    ],
    ids=["not-a-day", "not-written-out", "future", "too-far-back"],
)
def test_a_bad_since_is_one_line_exit_2_and_nothing_is_asked(
    stack: JsonServer, since: str, says: str
) -> None:
    assert _run("backfill", "--since", since, "--stack-url", stack.url()) == (2, "", says)
    assert stack.seen == []


def test_an_unknown_connection_is_refused_by_the_function_in_one_line(stack: JsonServer) -> None:
    refusal = "connection 'wb-x' is not a connection; the enabled ones: ozon-main, wb-main"
    stack.default = (200, {"refused": refusal})

    code, out, err = _run("backfill", "--since", SINCE, "--connection", "wb-x", "--stack-url", stack.url())

    assert (code, out) == (2, "")
    assert err == f"otklik: {refusal}; nothing was read\n"


def test_a_backfill_that_ran_out_of_pages_or_stopped_says_so_and_exits_1(stack: JsonServer) -> None:
    stack.default = (
        200,
        {
            "backfill": {"since": SINCE, "until": "2026-12-02T21:00:00+00:00"},
            "streams": [
                {
                    "connection": "ozon-main",
                    "stream": "reviews",
                    "ingested": 5000,
                    "pages": 50,
                    "unfinished": True,
                },
                {"connection": "ozon-main", "stream": "questions", "error": "HTTP 503: unavailable"},
            ],
        },
    )

    code, out, _ = _run("backfill", "--since", SINCE, "--stack-url", stack.url())

    assert code == 1
    lines = out.splitlines()
    assert lines[1] == (
        "ozon-main reviews: 5000 in, 50 page(s); stopped after 50 pages, the most a backfill reads of a"
        " stream (OTKLIK_MAX_BACKFILL_PAGES_PER_STREAM): the rest was not read"
    )
    assert lines[2] == (
        "ozon-main questions: 0 in, 0 page(s); stopped: HTTP 503: unavailable"
        " (run the backfill again: what it read is a duplicate)"
    )


def test_backfill_on_aws_invokes_the_function_with_the_window_as_its_detail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = boto3.client(
        "lambda", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    payload = json.dumps(BACKFILLED).encode()
    waited: list[float] = []

    def lambda_client(service: str, attempts: int = 5, read_timeout: float = 10) -> object:
        waited.append(read_timeout)
        return client

    with Stubber(client) as stubbed:
        stubbed.add_response(
            "invoke",
            {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(payload), len(payload))},
            {
                "FunctionName": "otklik-Poll",
                "Payload": json.dumps({"detail": {"backfill": {"since": SINCE}}}).encode(),
            },
        )
        monkeypatch.setattr(aws, "client", lambda_client)

        code, out, _ = _run("backfill", "--since", SINCE, "--function", "otklik-Poll")

        stubbed.assert_no_pending_responses()
    assert code == 0 and out.startswith(f"backfill from {SINCE}")
    assert waited[0] > 300  # the invoke waits out the function's own 300 s timeout


def test_the_command_line_says_a_refused_backfill_without_a_traceback(
    stack: JsonServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["backfill", "--since", "2999-01-01", "--stack-url", stack.url()])

    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert (
        captured.err.startswith("otklik: --since: 2999-01-01 is after today")
        and captured.err.count("\n") == 1
    )
    assert "Traceback" not in captured.err and stack.seen == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_backfill_shows_the_seconds_it_has_waited(
    stack: JsonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a poll function that takes a while to read the window again
    stack.default = (200, BACKFILLED)
    stack.delay = 0.3
    monkeypatch.setattr(cli_progress, "WAIT_REDRAW_SECONDS", 0.05)
    out, err = io.StringIO(), Terminal()
    # When a backfill runs with stderr on a terminal
    code = run(
        build_parser().parse_args(["backfill", "--since", SINCE, "--stack-url", stack.url()]), out, err
    )
    # Then stderr shows the seconds waited, redrawn in place, and ends its line when the answer came
    assert code == 0
    drawn = err.getvalue()
    assert drawn.startswith("\rbackfill: waiting for PollMarketplacesFunction 0 s")
    # (how many seconds the end shows depends on how loaded the machine is: 0.3 s of delay reads "0 s"
    # or, past half a second, "1 s"; that it is whole seconds and the line's end is what is held)
    assert re.search(r"\rbackfill: waiting for PollMarketplacesFunction: done in \d+ s\n\Z", drawn)
    assert drawn.count("\rbackfill: waiting for PollMarketplacesFunction ") >= 2  # redrawn while it waited
    assert out.getvalue().startswith(f"backfill from {SINCE} to ")


def test_piped_a_backfill_writes_nothing_but_its_answer(stack: JsonServer) -> None:
    stack.default = (200, BACKFILLED)

    code, out, err = _run("backfill", "--since", SINCE, "--stack-url", stack.url())

    assert (code, err) == (0, "")
    assert out.startswith(f"backfill from {SINCE}")
