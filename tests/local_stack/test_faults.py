"""Fault injection: a share of the functions' DynamoDB, SQS and outgoing HTTP calls fail as AWS and servers
do.

The fixture's one function (fixtures/faults/caller) makes the calls its event lists and answers what
each got, so these tests see faults as a function sees them: through botocore and urllib.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.retries.standard import ExponentialBackoff

from infra.local.stack import LocalStack
from tests.local_stack.paths import FIXTURES
from tests.support.http_recorder import HttpRecorder

FAULTS_TEMPLATE = FIXTURES / "faults" / "template.yaml"
THROTTLES = {"ProvisionedThroughputExceededException", "ThrottlingException"}


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    name = f"faults-{uuid.uuid4().hex[:8]}"
    with LocalStack(FAULTS_TEMPLATE, stack_name=name, run_schedules=False, sdk_backoff_scale=0.25) as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults_after(stack: LocalStack) -> Iterator[None]:
    yield
    set_faults(stack, {})


def set_faults(stack: LocalStack, settings: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return local_api(stack, "POST", "/_local/faults", json.dumps(settings).encode())


def local_api(stack: LocalStack, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(stack.api_url + path, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def calls(stack: LocalStack, *wanted: dict[str, Any], retries: int = 0) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = stack.invoke(
        "CallerFunction", {"retries": retries, "calls": list(wanted)}
    )
    return answers


def stored(stack: LocalStack, note_id: str) -> bool:
    table = stack.resources.physical_id("NotesTable")
    return "Item" in stack.client("dynamodb").get_item(TableName=table, Key={"id": {"S": note_id}})


def injected(stack: LocalStack, kind: str) -> dict[str, Any]:
    counts: dict[str, Any] = local_api(stack, "GET", "/_local/faults")[1]["faults"][kind]
    return counts


# ---------------------------------------------------------------- settings


def test_faults_are_off_until_set_and_get_shows_the_settings_and_counts(stack: LocalStack) -> None:
    status, described = local_api(stack, "GET", "/_local/faults")

    assert status == 200
    assert described["active"] is False
    assert set(described["faults"]) == {
        "dynamodb_throttle",
        "dynamodb_condition_race",
        "sqs_send_error",
        "http_5xx",
        "http_timeout",
    }
    assert all(kind["rate"] == 0 and kind["injected"] == 0 for kind in described["faults"].values())


def test_post_sets_the_rates_and_seed_and_an_empty_object_turns_faults_off(stack: LocalStack) -> None:
    status, described = set_faults(stack, {"dynamodb_throttle": 0.1, "sqs_send_error": 0.05, "seed": 1})
    assert status == 200
    assert described["active"] is True
    assert described["settings"] == {
        "dynamodb_throttle": 0.1,
        "dynamodb_condition_race": 0.0,
        "sqs_send_error": 0.05,
        "http_5xx": 0.0,
        "http_timeout": 0.0,
        "seed": 1,
    }

    status, described = set_faults(stack, {})
    assert (status, described["active"]) == (200, False)
    assert local_api(stack, "GET", "/_local/status")[1]["faults"]["active"] is False


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b'{"dynamodb_throtle": 0.1}', "unknown setting dynamodb_throtle"),
        (b'{"http_5xx": 1.5}', "http_5xx must be a number from 0 to 1"),
        (b'{"http_5xx": true}', "http_5xx must be a number from 0 to 1"),
        (b'{"seed": "one"}', "seed must be an integer"),
        (b"[0.1]", "must be a JSON object"),
        (b"{not json", "not JSON"),
    ],
)
def test_settings_that_do_not_say_which_faults_are_refused_and_change_nothing(
    stack: LocalStack, body: bytes, complaint: str
) -> None:
    set_faults(stack, {"http_5xx": 0.2})

    status, answer = local_api(stack, "POST", "/_local/faults", body)

    assert status == 400
    assert complaint in answer["message"]
    assert local_api(stack, "GET", "/_local/faults")[1]["settings"]["http_5xx"] == 0.2


# ---------------------------------------------------------------- DynamoDB


def test_a_throttled_dynamodb_call_is_retried_by_the_sdk_then_raised_and_not_applied(
    stack: LocalStack,
) -> None:
    set_faults(stack, {"dynamodb_throttle": 1.0})
    note = f"throttled-{uuid.uuid4().hex[:8]}"

    [answer] = calls(stack, {"kind": "put", "id": note}, retries=1)

    assert answer["error"] in THROTTLES
    assert (answer["status"], answer["attempts"]) == (400, 2)
    assert not stored(stack, note)
    counts = injected(stack, "dynamodb_throttle")
    assert counts["injected"] == 2
    assert set(counts["answers"]) <= {f"400 {code}" for code in THROTTLES}


def test_faults_never_reach_the_emulators_own_calls(stack: LocalStack) -> None:
    set_faults(stack, {"dynamodb_throttle": 1.0, "sqs_send_error": 1.0})
    queue_url = stack.resources.queue_url("OutboxQueue")

    # What the emulator and tests do goes to moto's own port, without faults
    stack.client("sqs").send_message(QueueUrl=queue_url, MessageBody="from the emulator")
    stack.client("dynamodb").scan(TableName=stack.resources.physical_id("NotesTable"))

    assert stack.queue_depths()["OutboxQueue"]["visible"] == 1
    stack.client("sqs").purge_queue(QueueUrl=queue_url)
    assert injected(stack, "sqs_send_error")["calls"] == 0


def test_a_conditional_write_whose_answer_is_lost_meets_itself_on_the_sdks_retry(stack: LocalStack) -> None:
    set_faults(stack, {"dynamodb_condition_race": 1.0})
    note, unconditional = (f"race-{uuid.uuid4().hex[:8]}" for _ in range(2))

    conditional_answer, unconditional_answer = calls(
        stack, {"kind": "conditional_put", "id": note}, {"kind": "put", "id": unconditional}, retries=2
    )

    # The first attempt wrote the item and was answered 500; the retry found it there
    assert (conditional_answer["error"], conditional_answer["attempts"]) == (
        "ConditionalCheckFailedException",
        2,
    )
    assert stored(stack, note)
    # A write without a condition cannot race with itself: it is left alone
    assert unconditional_answer == {"ok": True}
    assert injected(stack, "dynamodb_condition_race")["answers"] == {"500 InternalServerError": 1}


def test_a_conditional_transaction_whose_answer_is_lost_is_cancelled_on_retry_and_applied_once(
    stack: LocalStack,
) -> None:
    set_faults(stack, {"dynamodb_condition_race": 1.0})
    note = f"race-tx-{uuid.uuid4().hex[:8]}"

    [answer] = calls(stack, {"kind": "transaction", "id": note}, retries=2)

    assert answer["error"] == "TransactionCanceledException"
    assert stored(stack, note)


# ---------------------------------------------------------------- SQS


def test_a_failed_sqs_send_is_answered_as_sqs_fails_and_enqueues_nothing(stack: LocalStack) -> None:
    set_faults(stack, {"sqs_send_error": 1.0})

    [answer] = calls(stack, {"kind": "send", "id": "never queued"}, retries=1)

    assert (answer["error"], answer["status"]) in {("InternalError", 500), ("ServiceUnavailable", 503)}
    assert answer["attempts"] == 2
    assert stack.queue_depths()["OutboxQueue"] == {"visible": 0, "in_flight": 0, "delayed": 0}
    # DynamoDB is not touched by the SQS fault
    assert calls(stack, {"kind": "get", "id": "x"}) == [{"ok": True, "found": False}]


# ---------------------------------------------------------------- outgoing HTTP


def test_an_outgoing_request_answered_5xx_never_reaches_the_server(stack: LocalStack) -> None:
    set_faults(stack, {"http_5xx": 1.0})
    with HttpRecorder() as server:
        [answer] = calls(stack, {"kind": "post", "url": server.url})

        assert answer["error"] == "http"
        assert answer["status"] in {500, 502, 503}
        assert server.requests == []


def test_an_outgoing_request_that_times_out_was_delivered_but_its_answer_is_lost(stack: LocalStack) -> None:
    set_faults(stack, {"http_timeout": 1.0})
    with HttpRecorder() as server:
        [answer] = calls(stack, {"kind": "post", "url": server.url})

        # As urllib raises a read timeout: unwrapped, not a URLError (which means "never sent")
        assert answer == {"error": "no answer", "reason": "timed out"}
        assert len(server.requests) == 1


def test_http_outside_a_function_is_never_failed(stack: LocalStack) -> None:
    set_faults(stack, {"http_5xx": 1.0, "http_timeout": 1.0})
    with HttpRecorder() as server:
        request = urllib.request.Request(server.url, data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200
        assert len(server.requests) == 1


# ---------------------------------------------------------------- SDK backoff


def test_botocores_waits_are_scaled_inside_functions_only(stack: LocalStack) -> None:
    third_try = SimpleNamespace(attempt_number=3, http_response=None)
    outside = ExponentialBackoff(random=lambda: 1.0).delay_amount(third_try)

    [inside] = calls(stack, {"kind": "backoff", "attempt": 3})

    assert outside == pytest.approx(0.2)  # 50 ms doubled twice, as botocore waits before a third try
    assert inside["delay"] == pytest.approx(0.25 * outside)


# ---------------------------------------------------------------- determinism


def _outcomes(stack: LocalStack, settings: dict[str, Any]) -> list[bool]:
    set_faults(stack, settings)
    answers = calls(stack, *({"kind": "get", "id": str(n)} for n in range(40)))
    return [answer.get("ok", False) for answer in answers]


def test_a_seed_fails_the_same_calls_every_time_and_another_seed_other_calls(stack: LocalStack) -> None:
    first = _outcomes(stack, {"dynamodb_throttle": 0.5, "seed": 7})
    again = _outcomes(stack, {"dynamodb_throttle": 0.5, "seed": 7})
    other = _outcomes(stack, {"dynamodb_throttle": 0.5, "seed": 8})
    with_other_kinds = _outcomes(stack, {"dynamodb_throttle": 0.5, "sqs_send_error": 0.9, "seed": 7})

    assert 5 < first.count(False) < 35  # about half fail
    assert again == first
    assert with_other_kinds == first  # one kind's rate does not move another's draws
    assert other != first


def test_status_shows_queue_depths_idleness_and_faults(stack: LocalStack) -> None:
    set_faults(stack, {"http_5xx": 0.2})

    status = local_api(stack, "GET", "/_local/status")[1]

    assert status["queues"]["OutboxQueue"] == {"visible": 0, "in_flight": 0, "delayed": 0}
    assert status["idle"] is True
    assert status["faults"]["settings"]["http_5xx"] == 0.2
