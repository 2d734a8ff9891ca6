"""send_notifications on moto with Slack-compatible webhooks served over real HTTP on loopback.

What the outbox (GET /notifications?ticket_id=) shows is the record of every try: written before any
channel is posted to, each channel's outcome kept as it happens, whatever becomes of the message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from otklik.adapters.ticket_store import TicketStore
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Notification, StatusChange, Ticket
from otklik.domain.notify.plan import MAX_ATTEMPTS
from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event
from tests.support.http_recorder import HttpRecorder

SAMPLE = Path(__file__).resolve().parents[2] / "events" / "sqs_notify_ticket_opened.json"
FUNCTION = "SendNotificationsFunction"
# Short enough for a test, long enough for a loopback answer; a slow Slack answers after twice this.
TIMEOUT_SECONDS = 0.5
# Retry-After: 0 on a 503 makes the client's retries immediate, so "down for good" runs fast.
NO_WAIT = {"Retry-After": "0"}
OWN_LOGGERS = ("send_notifications", "otklik", "aws_lambda_powertools")


def _notification_body() -> str:
    return str(json.loads(SAMPLE.read_text("utf-8"))["Records"][0]["body"])


NOTE = Notification.model_validate(json.loads(_notification_body())["notification"])


def _ticket(ticket_id: str) -> Ticket:
    now = datetime.now(UTC)
    return Ticket(
        id=ticket_id,
        feedback_id="fb_sample",
        source="custom",
        account="default",
        kind="review",
        team="support",
        priority="high",
        status="open",
        reasons=("low_rating",),
        created_at=now,
        first_response_due_at=now + timedelta(hours=24),
        rating=1,
        tonality_label="negative",
        excerpt="Ужасное качество",
        history=(StatusChange(at=now, by="otklik", status="open"),),
    )


def _use_hooks(stack: Stack, *hooks: tuple[str, HttpRecorder]) -> None:
    lines = ["channels:"]
    for name, recorder in hooks:
        stack.ssm.put_parameter(
            Name=f"/otklik/test/notify/{name}-hook", Value=recorder.url, Type="SecureString", Overwrite=True
        )
        lines.append(f"  - {{name: {name}, type: slack_webhook, url_parameter: notify/{name}-hook}}")
    stack.put_config("\n".join(lines) + "\n")


@pytest.fixture
def ticket(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OTKLIK_CHANNEL_TIMEOUT_SECONDS", str(TIMEOUT_SECONDS))
    TicketStore(stack.dynamodb, stack.table("TicketsTable")).create(_ticket(NOTE.ticket_id))
    return NOTE.ticket_id


@pytest.fixture
def slack(stack: Stack, ticket: str) -> Iterator[HttpRecorder]:
    with HttpRecorder() as recorder:
        _use_hooks(stack, ("slack", recorder))
        yield recorder


@pytest.fixture
def managers(stack: Stack, slack: HttpRecorder) -> Iterator[HttpRecorder]:
    """A second channel beside slack."""
    with HttpRecorder() as recorder:
        _use_hooks(stack, ("slack", slack), ("managers", recorder))
        yield recorder


def _deliver(stack: Stack, event: dict[str, Any] | None = None) -> list[str]:
    """Invoke send_notifications; the ids of the records it failed (SQS delivers those again)."""
    answer = stack.invoke(FUNCTION, event or stack.sqs_event("NotifyQueue", [_notification_body()]))
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def _notifications(stack: Stack, ticket_id: str) -> list[dict[str, Any]]:
    """What GET /notifications?ticket_id= answers."""
    response = stack.invoke(
        "OpsApiFunction", ops_event("/notifications", "/notifications", {"ticket_id": ticket_id})
    )
    assert response["statusCode"] == 200
    items: list[dict[str, Any]] = body_of(response)["items"]
    return items


def _by_channel(note: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["channel"]: result for result in note["results"]}


def _max_receive_count(stack: Stack) -> int:
    return int(stack.template.properties("NotifyQueue")["RedrivePolicy"]["maxReceiveCount"])


def test_a_notification_is_posted_to_slack_and_kept_in_the_outbox(
    stack: Stack, slack: HttpRecorder, ticket: str
) -> None:
    assert _deliver(stack) == []
    assert len(slack.requests) == 1
    posted = slack.requests[0].json()
    assert "Новый тикет" in posted["text"]
    assert "anna@example.com" not in posted["text"]
    [note] = _notifications(stack, ticket)
    assert (note["id"], note["event"], note["title"]) == (NOTE.id, "ticket_opened", NOTE.title)
    assert {r["channel"]: r["status"] for r in note["results"]} == {"slack": "sent", "outbox": "stored"}
    assert _by_channel(note)["slack"]["detail"] == "HTTP 200"
    assert _by_channel(note)["slack"]["attempts"] == 1


def test_the_same_notification_twice_is_delivered_once(
    stack: Stack, slack: HttpRecorder, ticket: str
) -> None:
    assert _deliver(stack) == []
    assert _deliver(stack) == []
    assert len(slack.requests) == 1
    assert len(_notifications(stack, ticket)) == 1


def _delayed(stack: Stack) -> int:
    """How many messages send_notifications queued again on NotifyQueue, held back by their delay."""
    attributes = stack.sqs.get_queue_attributes(
        QueueUrl=stack.queue_url("NotifyQueue"), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessagesDelayed"])


def _retry_of(channel: str, attempt: int = 1) -> NotifyMessage:
    """The retry send_notifications queues for a channel (the queue holds it back, so it is built here)."""
    return NotifyMessage(notification=NOTE, only=(channel,), attempt=attempt)


def _retry_event(stack: Stack, message: NotifyMessage) -> dict[str, Any]:
    return stack.sqs_event("NotifyQueue", [message.model_dump_json()])


def test_slack_down_for_good_is_retried_with_backoff_and_then_recorded_failed(
    stack: Stack, slack: HttpRecorder, ticket: str
) -> None:
    # Given Slack answering 503 to everything
    slack.always(503, headers=NO_WAIT)

    # When the notification is delivered: the record does not fail (nothing is lost, nothing dead-letters)
    assert _deliver(stack) == []

    # Then the outbox says it will be tried again, and the retry waits on NotifyQueue for that channel only
    tried = _by_channel(_notifications(stack, ticket)[0])["slack"]
    assert (tried["status"], tried["attempts"], tried["error"]) == ("retrying", 1, "HTTP 503")
    assert _delayed(stack) == 1

    # When its last try fails too
    assert _deliver(stack, _retry_event(stack, _retry_of("slack", MAX_ATTEMPTS - 1))) == []

    # Then it is recorded failed with every try counted, and nothing more is queued
    tried = _by_channel(_notifications(stack, ticket)[0])["slack"]
    assert (tried["status"], tried["attempts"], tried["error"]) == ("failed", MAX_ATTEMPTS, "HTTP 503")
    assert tried["detail"].startswith(f"gave up after {MAX_ATTEMPTS} tries")
    assert _delayed(stack) == 1  # only the first retry, none after the last try
    assert _by_channel(_notifications(stack, ticket)[0])["outbox"]["status"] == "stored"


def test_slack_down_then_back_is_delivered_by_the_retry(
    stack: Stack, slack: HttpRecorder, ticket: str
) -> None:
    slack.answer_next(503, 503, 503, headers=NO_WAIT)
    assert _deliver(stack) == []
    assert _by_channel(_notifications(stack, ticket)[0])["slack"]["status"] == "retrying"

    assert _deliver(stack, _retry_event(stack, _retry_of("slack"))) == []

    assert len(slack.requests) == 4
    tried = _by_channel(_notifications(stack, ticket)[0])["slack"]
    assert (tried["status"], tried["attempts"]) == ("sent", 2)


def test_a_permanently_refused_slack_post_is_recorded_not_retried(
    stack: Stack, slack: HttpRecorder, ticket: str
) -> None:
    slack.answer_next(404)

    assert _deliver(stack) == []

    assert len(slack.requests) == 1
    tried = _by_channel(_notifications(stack, ticket)[0])["slack"]
    assert (tried["status"], tried["error"], tried["detail"]) == ("failed", "HTTP 404", "HTTP 404: error")


def test_a_slow_slack_is_posted_to_once_and_recorded_as_unconfirmed(
    stack: Stack, slack: HttpRecorder, ticket: str
) -> None:
    # Given Slack that takes the post and answers only after the client stopped waiting
    slack.always(200, delay_seconds=TIMEOUT_SECONDS * 2)
    # When the notification is delivered, and delivered again
    assert _deliver(stack) == []
    assert _deliver(stack) == []
    # Then it was posted once: a POST that may have arrived is not sent again
    assert len(slack.requests) == 1
    tried = _by_channel(_notifications(stack, ticket)[0])["slack"]
    assert (tried["status"], tried["error"]) == ("unconfirmed", "TimeoutError")


def test_slack_hanging_up_after_the_post_is_not_posted_to_again(
    stack: Stack, slack: HttpRecorder, ticket: str
) -> None:
    slack.hang_up_next()

    assert _deliver(stack) == []

    assert len(slack.requests) == 1
    assert _by_channel(_notifications(stack, ticket)[0])["slack"]["status"] == "unconfirmed"


def test_slack_unreachable_is_retried_and_the_outbox_names_no_url(stack: Stack, ticket: str) -> None:
    # Given a channel whose webhook refuses connections (a recorder that has been shut down)
    with HttpRecorder() as gone:
        _use_hooks(stack, ("slack", gone))
    # When the notification is delivered
    assert _deliver(stack) == []
    # Then it is to be retried, and the outbox says why without quoting the secret URL
    tried = _by_channel(_notifications(stack, ticket)[0])["slack"]
    assert (tried["status"], tried["error"]) == ("retrying", "ConnectionRefusedError")
    assert "services/T000" not in json.dumps(tried)
    assert _delayed(stack) == 1


def test_a_retry_after_a_partial_success_posts_only_what_failed(
    stack: Stack, slack: HttpRecorder, managers: HttpRecorder, ticket: str
) -> None:
    # Given Slack up and the managers' hook down for the first delivery
    managers.answer_next(503, 503, 503, headers=NO_WAIT)
    event = stack.sqs_event("NotifyQueue", [_notification_body()])
    assert _deliver(stack, event) == []
    first = _by_channel(_notifications(stack, ticket)[0])
    assert (first["slack"]["status"], first["managers"]["status"]) == ("sent", "retrying")
    # When SQS delivers the first message again, and then the retry, with the managers' hook back
    assert _deliver(stack, event) == []
    assert _delayed(stack) == 1
    assert _deliver(stack, _retry_event(stack, _retry_of("managers"))) == []
    # Then Slack was posted to once in all, the managers' hook once more
    assert len(slack.requests) == 1
    assert len(managers.requests) == 4
    done = _by_channel(_notifications(stack, ticket)[0])
    assert (done["slack"]["attempts"], done["managers"]["attempts"]) == (1, 2)
    assert done["managers"]["status"] == "sent"


def test_logs_carry_ids_channels_and_statuses_never_the_notification_text(
    stack: Stack, slack: HttpRecorder, managers: HttpRecorder, ticket: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given one channel that fails for a while and one that answers too late
    caplog.set_level(logging.DEBUG)
    managers.answer_next(503, 503, 503, headers=NO_WAIT)
    slack.always(200, delay_seconds=TIMEOUT_SECONDS * 2)
    # When the notification is delivered, and then its retry
    _deliver(stack)
    _deliver(stack, _retry_event(stack, _retry_of("managers")))
    # Then the logs say which notification, delivery and outcome
    first, second = [r for r in caplog.records if r.getMessage() == "notification delivered"]
    said = vars(first)
    assert (said["notification_id"], said["ticket_id"]) == (NOTE.id, NOTE.ticket_id)
    assert {r["channel"]: r["status"] for r in said["results"]} == {
        "slack": "unconfirmed",
        "managers": "retrying",
        "outbox": "stored",
    }
    assert {r["channel"]: r["status"] for r in vars(second)["results"]} == {
        "managers": "sent",
        "outbox": "stored",
    }
    # And nothing of the notification's words at any level of the function's and Powertools' logs
    # (botocore's debug lines quote request bodies, and Lambda does not log them), nor a hook's URL
    ours = [r for r in caplog.records if r.name.startswith(OWN_LOGGERS)]
    assert len(ours) >= 4
    logged = json.dumps([vars(r) for r in ours], default=str, ensure_ascii=False)
    assert NOTE.title not in logged
    for line in NOTE.text.splitlines():
        assert line not in logged
    assert "Ужасное" not in logged
    assert "services/T000" not in logged
