"""send_notifications on moto with a Slack-compatible webhook served over real HTTP on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Stack
from tests.support.http_recorder import HttpRecorder

SAMPLE = Path(__file__).resolve().parents[2] / "events" / "sqs_notify_ticket_opened.json"


@pytest.fixture
def slack(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpRecorder]:
    with HttpRecorder() as recorder:
        stack.ssm.put_parameter(
            Name="/otklik/test/notify/slack-webhook-url", Value=recorder.url, Type="SecureString"
        )
        stack.put_config(
            "channels:\n  - {name: slack, type: slack_webhook, url_parameter: notify/slack-webhook-url}\n"
        )
        yield recorder


def _notification_body() -> str:
    return str(json.loads(SAMPLE.read_text("utf-8"))["Records"][0]["body"])


def _outbox(stack: Stack) -> list[dict[str, object]]:
    items = stack.dynamodb.scan(TableName=stack.table("TicketsTable"))["Items"]
    return [i for i in items if i["sk"]["S"].startswith("NOTIFICATION#")]


def test_a_notification_is_posted_to_slack_and_kept_in_the_outbox(stack: Stack, slack: HttpRecorder) -> None:
    result = stack.invoke("SendNotificationsFunction", stack.sqs_event("NotifyQueue", [_notification_body()]))
    assert result == {"batchItemFailures": []}
    assert len(slack.requests) == 1
    posted = slack.requests[0].json()
    assert "Новый тикет" in posted["text"]
    assert "anna@example.com" not in posted["text"]
    outbox = _outbox(stack)
    assert len(outbox) == 1
    channels = {r["M"]["channel"]["S"]: r["M"]["status"]["S"] for r in outbox[0]["results"]["L"]}
    assert channels == {"slack": "sent", "outbox": "stored"}


def test_the_same_notification_twice_is_delivered_once(stack: Stack, slack: HttpRecorder) -> None:
    body = _notification_body()
    stack.invoke("SendNotificationsFunction", stack.sqs_event("NotifyQueue", [body]))
    result = stack.invoke("SendNotificationsFunction", stack.sqs_event("NotifyQueue", [body]))
    assert result == {"batchItemFailures": []}
    assert len(slack.requests) == 1
    assert len(_outbox(stack)) == 1


def test_slack_down_fails_the_record_and_a_retry_delivers_it(stack: Stack, slack: HttpRecorder) -> None:
    # Given Slack answering 503 to every attempt of the first delivery (the client retries 3 times)
    slack.answer_next(503, 503, 503)
    event = stack.sqs_event("NotifyQueue", [_notification_body()])
    first = stack.invoke("SendNotificationsFunction", event)
    # Then the record is failed, so SQS redelivers it, and nothing is in the outbox yet
    assert first == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert _outbox(stack) == []
    # When SQS redelivers it and Slack is back
    second = stack.invoke("SendNotificationsFunction", event)
    # Then it is delivered once
    assert second == {"batchItemFailures": []}
    assert len(slack.requests) == 4
    assert len(_outbox(stack)) == 1


def test_a_permanently_refused_slack_post_is_recorded_not_retried(stack: Stack, slack: HttpRecorder) -> None:
    slack.answer_next(404)
    result = stack.invoke("SendNotificationsFunction", stack.sqs_event("NotifyQueue", [_notification_body()]))
    assert result == {"batchItemFailures": []}
    outbox = _outbox(stack)
    channels = {r["M"]["channel"]["S"]: r["M"]["status"]["S"] for r in outbox[0]["results"]["L"]}
    assert channels["slack"] == "failed"
