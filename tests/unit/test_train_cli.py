"""`otklik tonality train`: fires the local stack's training schedule (or invokes the deployed function), and
prints per account the reviews used, the held-back figures and whether the model was promoted and why."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from otklik.adapters import aws
from otklik.entrypoints import cli_train
from otklik.entrypoints.cli import build_parser
from tests.support.loopback import JsonServer

PROMOTED: dict[str, Any] = {
    "account": "wb-main",
    "outcome": "promoted",
    "reason": "candidate 0.6120 >= shipped 0.5710 + 0.0100",
    "reviews": 1240,
    "trained_on": 992,
    "held_back": 248,
    "version": "20261123T023000Z-3fa1b2",
    "in_force": "shipped-7bde32d59e55",
    "scores": {"candidate": 0.612, "in_force": 0.571, "shipped": 0.571, "lexicon": 0.548},
}
NOT_ENOUGH: dict[str, Any] = {
    "account": "site",
    "outcome": "not_enough",
    "reason": "41 rated reviews in the last 180 days, fewer than min_reviews 500",
    "reviews": 41,
    "trained_on": 0,
    "held_back": 0,
    "version": None,
    "in_force": None,
    "scores": {},
}
TRAINED = (200, {"accounts": [PROMOTED, NOT_ENOUGH]})


@pytest.fixture
def trained_stack(loopback: None) -> Iterator[JsonServer]:
    with JsonServer(default=TRAINED) as stack:
        yield stack


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_train.run(build_parser().parse_args(["tonality", "train", *argv]), out, err, {})
    return code, out.getvalue(), err.getvalue()


def test_it_fires_the_training_schedule_and_prints_each_accounts_figures_and_outcome(
    trained_stack: JsonServer,
) -> None:
    code, out, err = _run("--stack-url", trained_stack.url())

    assert (code, err) == (0, "")
    assert trained_stack.bodies() == [("/_local/schedules/TrainTonalityFunction", {})]
    assert out == (
        "wb-main: promoted 20261123T023000Z-3fa1b2 (1,240 rated reviews: 992 trained on, 248 held back)\n"
        "  held-back macro-F1: candidate 0.6120, in force 0.5710 (shipped-7bde32d59e55), shipped 0.5710,"
        " lexicon 0.5480\n"
        "  why: candidate 0.6120 >= shipped 0.5710 + 0.0100\n"
        "site: not enough reviews (41 rated reviews)\n"
        "  why: 41 rated reviews in the last 180 days, fewer than min_reviews 500\n"
    )


def test_one_account_is_asked_for_by_name_and_a_bad_name_is_refused_before_anything_is_asked(
    trained_stack: JsonServer,
) -> None:
    code, _, _ = _run("--account", "wb-main", "--stack-url", trained_stack.url())
    bad, out, err = _run("--account", "wb main/..", "--stack-url", trained_stack.url())

    assert code == 0
    assert (bad, out) == (2, "")
    assert err.startswith("otklik: --account: 'wb main/..' is not an account name")
    assert trained_stack.bodies() == [("/_local/schedules/TrainTonalityFunction", {"account": "wb-main"})]


def test_learning_turned_off_or_a_failed_run_is_said_in_one_line(loopback: None) -> None:
    with JsonServer(default=(200, {"disabled": True, "accounts": []})) as off:
        code, out, err = _run("--stack-url", off.url())
    assert (code, out) == (2, "")
    assert err == "otklik: nothing trained: tonality learning is off (tonality.learning.enabled: false)\n"

    failure = {"message": "Internal server error", "errorType": "ModelStoreError", "errorMessage": "s3://…"}
    with JsonServer(default=(502, failure)) as failed:
        code, out, err = _run("--stack-url", failed.url())
    assert (code, out, err) == (2, "", "otklik: TrainTonalityFunction failed: ModelStoreError: s3://…\n")

    code, _, err = _run("--stack-url", "http://127.0.0.1:9")
    assert code == 1 and err.startswith("otklik: cannot reach http://127.0.0.1:9") and err.count("\n") == 1


def test_on_aws_it_invokes_the_function_with_the_account_as_its_detail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = boto3.client(
        "lambda", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    payload = json.dumps({"accounts": [PROMOTED]}).encode()
    with Stubber(client) as stubbed:
        stubbed.add_response(
            "invoke",
            {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(payload), len(payload))},
            {
                "FunctionName": "otklik-TrainTonalityFunction",
                "Payload": json.dumps({"detail": {"account": "wb-main"}}).encode(),
            },
        )
        monkeypatch.setattr(aws, "client", lambda service, attempts=5, read_timeout=10: client)

        code, out, _ = _run("--account", "wb-main", "--function", "otklik-TrainTonalityFunction", "--json")

        stubbed.assert_no_pending_responses()
    assert code == 0 and json.loads(out) == {"accounts": [PROMOTED]}
