"""The soak, small: a few hundred signed webhooks from 8 senders, re-deliveries included, under the
issue's faults (DynamoDB throttling 10 %, SQS send errors 5 %, Slack 5xx 20 %); judged as `make soak` is."""

from __future__ import annotations

from pathlib import Path

from tests.soak.run import ISSUE_FAULTS, SoakSettings, run_soak, soak_stack

SMALL = SoakSettings(webhooks=200, faults=ISSUE_FAULTS, drain_timeout=240.0)


def test_under_faults_nothing_accepted_is_lost_or_doubled_and_aggregates_are_exact(tmp_path: Path) -> None:
    # Given the local stack with a Slack recorder as its channel, faults injected into the functions' calls
    with soak_stack(tmp_path / "stack.log", SMALL) as stack:
        # When 200 webhooks (some sent two or three times, some of those at once) are posted and drained
        report = run_soak(stack, SMALL)
    print(report.text())

    # Then the faults did happen, and every valid webhook was accepted (a sender retries 5xx only)
    injected = {kind: counts["injected"] for kind, counts in report.faults["faults"].items()}
    assert injected["dynamodb_throttle"] > 0 and injected["sqs_send_error"] > 0 and injected["http_5xx"] > 0
    assert report.drain.drained, report.drain
    assert not report.sent.input_refusals()
    assert report.accepted == SMALL.webhooks
    # And nothing accepted was lost or doubled at any stage, and the aggregates equal a recount
    assert report.findings.lost == {stage: [] for stage in report.findings.lost}
    assert report.findings.doubled == {stage: [] for stage in report.findings.doubled}
    assert report.findings.aggregate_mismatches == {}
    assert len(report.holdings.items) == SMALL.webhooks
    # And no dead-letter queue holds anything
    dead_letters = {name: letters.count for name, letters in report.holdings.dead_letters.items()}
    assert set(dead_letters.values()) == {0}, dead_letters
