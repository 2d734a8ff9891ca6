"""The Slack-style webhook channel: delivered, refused for good, or to be retried."""

from __future__ import annotations

import email.message
import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from otklik.adapters.http import HttpClient
from otklik.adapters.slack import SlackWebhookChannel, TransientDeliveryError
from otklik.domain.models import Notification
from tests.unit.samples import NOW

HOOK = "https://hooks.example.test/services/T000/B000/XXXX"
NOTE = Notification(
    id="nt_1",
    ticket_id="tk_1",
    event="ticket_opened",
    created_at=NOW,
    title="[high] Новый тикет tk_1",
    text="команда: support · приоритет: high\n«Порвалось, пишите [email]»",
)


class OkAnswer:
    status = 200
    headers = email.message.Message()

    def read(self) -> bytes:
        return b"ok"


class Hook:
    """The webhook endpoint: records what was posted and answers with a status."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posted: list[dict[str, object]] = []

    @contextmanager
    def urlopen(self, request: urllib.request.Request, timeout: float) -> Iterator[OkAnswer]:
        assert isinstance(request.data, bytes)
        self.posted.append(json.loads(request.data))
        if self.status != 200:
            raise urllib.error.HTTPError(
                HOOK, self.status, "error", email.message.Message(), io.BytesIO(b"no_service")
            )
        yield OkAnswer()


def slack_posting_to(hook: Hook, monkeypatch: pytest.MonkeyPatch) -> SlackWebhookChannel:
    monkeypatch.setattr(urllib.request, "urlopen", hook.urlopen)
    return SlackWebhookChannel(HttpClient(attempts=2, sleep=lambda _: None), HOOK)


def test_an_accepted_post_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    hook = Hook(200)

    result = slack_posting_to(hook, monkeypatch).deliver(NOTE)

    assert (result.channel, result.status) == ("slack", "sent")
    assert len(hook.posted) == 1


def test_the_message_has_text_and_blocks_with_title_and_body(monkeypatch: pytest.MonkeyPatch) -> None:
    hook = Hook(200)

    slack_posting_to(hook, monkeypatch).deliver(NOTE)

    (payload,) = hook.posted
    assert NOTE.title in str(payload["text"])
    assert NOTE.text in str(payload["text"])
    assert payload["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": NOTE.title}},
        {"type": "section", "text": {"type": "mrkdwn", "text": NOTE.text}},
    ]


def test_a_long_title_is_cut_to_fit_slacks_header_block() -> None:
    long_note = NOTE.model_copy(update={"title": "Т" * 400})

    blocks = SlackWebhookChannel.payload(long_note)["blocks"]

    assert isinstance(blocks, list)
    assert len(blocks[0]["text"]["text"]) == 150


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_a_permanent_refusal_is_recorded_as_failed_without_retrying(
    monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    hook = Hook(status)

    result = slack_posting_to(hook, monkeypatch).deliver(NOTE)

    assert (result.channel, result.status) == ("slack", "failed")
    assert f"HTTP {status}" in result.detail
    assert len(hook.posted) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_transient_failure_raises_so_the_message_is_retried(
    monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    hook = Hook(status)

    with pytest.raises(TransientDeliveryError, match=f"HTTP {status}"):
        slack_posting_to(hook, monkeypatch).deliver(NOTE)

    assert len(hook.posted) == 2
