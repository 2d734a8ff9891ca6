"""The Slack-style webhook channel: sent, refused for good, unconfirmed, or to be tried again."""

from __future__ import annotations

import http.client
import json
import urllib.error

import pytest

from otklik.adapters.http import HttpClient
from otklik.adapters.slack import SlackWebhookChannel, TransientDeliveryError
from otklik.domain.models import Delivery
from otklik.ports import ChannelUnavailable
from tests.support.scripted_http import Answer, ScriptedServer, refusal, serve

HOOK = "https://hooks.example.test/services/T000/B000/XXXX"
NOTE = Delivery(
    id="dl_1",
    notification_id="nt_1",
    event="ticket_opened",
    channel="slack",
    title="[high] Новый тикет tk_1",
    text="команда: support · приоритет: high\n«Порвалось, пишите [email]»",
)
TICKET_LINK = "https://ops.example.test/tickets/tk_1"
OK = Answer(200, b"ok", "text/plain")


@pytest.fixture
def sleeps() -> list[float]:
    return []


def slack(sleeps: list[float], attempts: int = 2) -> SlackWebhookChannel:
    return SlackWebhookChannel(HttpClient(attempts=attempts, sleep=sleeps.append), HOOK)


def posted(server: ScriptedServer) -> list[dict[str, object]]:
    bodies = [request.data for request in server.requests]
    return [json.loads(body) for body in bodies if isinstance(body, bytes)]


def test_an_accepted_post_is_sent(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    server = serve(monkeypatch, OK)

    result = slack(sleeps).deliver(NOTE)

    assert (result.channel, result.status, result.detail) == ("slack", "sent", "HTTP 200")
    assert len(server.requests) == 1


def test_the_message_has_text_and_blocks_with_title_and_body(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    server = serve(monkeypatch, OK)

    slack(sleeps).deliver(NOTE)

    (payload,) = posted(server)
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


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 422])
def test_a_permanent_refusal_is_recorded_as_failed_without_retrying(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], status: int
) -> None:
    server = serve(monkeypatch, refusal(HOOK, status, b"no_service"), OK)

    result = slack(sleeps).deliver(NOTE)

    assert (result.channel, result.status, result.error) == ("slack", "failed", f"HTTP {status}")
    assert result.detail == f"HTTP {status}: no_service"
    assert len(server.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504, 507])
def test_a_transient_failure_is_retried_then_raises_so_the_message_is_delivered_again(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], status: int
) -> None:
    server = serve(monkeypatch, refusal(HOOK, status, b"busy"), refusal(HOOK, status, b"busy"))

    with pytest.raises(TransientDeliveryError, match=f"HTTP {status}: busy") as caught:
        slack(sleeps).deliver(NOTE)

    assert isinstance(caught.value, ChannelUnavailable)
    assert caught.value.cause == f"HTTP {status}"
    assert len(server.requests) == 2
    assert len(sleeps) == 1


def test_slacks_retry_after_is_waited_for_before_the_next_try(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    server = serve(monkeypatch, refusal(HOOK, 429, b"rate_limited", Retry_After="3"), OK)

    result = slack(sleeps).deliver(NOTE)

    assert result.status == "sent"
    assert sleeps == [3.0]
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "after_sending",
    [TimeoutError("timed out"), ConnectionResetError(104, "reset"), http.client.RemoteDisconnected("closed")],
)
def test_a_post_sent_without_an_answer_is_unconfirmed_and_not_sent_again(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], after_sending: Exception
) -> None:
    # Given Slack that took the post and never answered (urllib lets these through unwrapped)
    server = serve(monkeypatch, after_sending, OK, OK)

    result = slack(sleeps, attempts=3).deliver(NOTE)

    # Then it is posted once, and recorded as unconfirmed with the error's class
    assert len(server.requests) == 1
    assert (result.status, result.error) == ("unconfirmed", type(after_sending).__name__)
    assert result.detail == f"no answer after sending ({type(after_sending).__name__})"


def test_a_connection_that_never_opened_is_retried_and_its_error_names_no_url(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    refused = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    server = serve(monkeypatch, refused, refused)

    with pytest.raises(TransientDeliveryError) as caught:
        slack(sleeps).deliver(NOTE)

    assert len(server.requests) == 2
    assert caught.value.cause == "ConnectionRefusedError"
    assert str(caught.value) == "not sent (ConnectionRefusedError)"
    # The webhook's URL is its secret: it goes nowhere the outbox or a log could show it
    assert "hooks.example.test" not in str(caught.value)


def test_a_link_becomes_a_button_under_the_text(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    # Given a delivery that links to its ticket
    server = serve(monkeypatch, OK)
    linked = NOTE.model_copy(update={"link": TICKET_LINK, "link_label": "Открыть тикет"})

    # When it is posted
    slack(sleeps).deliver(linked)

    # Then the last block is a button to the link, labelled, and the plain text names the link too
    (payload,) = posted(server)
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    assert blocks[-1] == {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Открыть тикет"}, "url": TICKET_LINK}
        ],
    }
    assert TICKET_LINK in str(payload["text"])


def test_without_a_link_there_is_no_button() -> None:
    blocks = SlackWebhookChannel.payload(NOTE)["blocks"]

    assert isinstance(blocks, list)
    assert [block["type"] for block in blocks] == ["header", "section"]


def test_a_text_quoting_slack_markup_mentions_no_one_and_links_nowhere() -> None:
    # Given a masked customer text that happens to hold Slack's markup
    quoting = NOTE.model_copy(update={"text": "Позор! <!channel> смотрите <https://evil.test|сюда> & всё"})

    # When the message is built
    payload = SlackWebhookChannel.payload(quoting)

    # Then <, > and & arrive escaped, in the blocks and in the plain text
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    escaped = "Позор! &lt;!channel&gt; смотрите &lt;https://evil.test|сюда&gt; &amp; всё"
    assert blocks[1]["text"]["text"] == escaped
    assert "<!channel>" not in str(payload["text"])
    assert escaped in str(payload["text"])


def test_a_long_text_and_label_are_cut_to_slacks_limits() -> None:
    long_note = NOTE.model_copy(update={"text": "а" * 5000, "link": TICKET_LINK, "link_label": "Б" * 100})

    blocks = SlackWebhookChannel.payload(long_note)["blocks"]

    assert isinstance(blocks, list)
    assert len(blocks[1]["text"]["text"]) == 3000
    assert len(blocks[2]["elements"][0]["text"]["text"]) == 75


def test_the_wait_slack_asked_for_goes_with_the_error_when_out_of_attempts(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    # Given Slack rate-limiting every try, asking for 7 seconds
    serve(monkeypatch, *(refusal(HOOK, 429, b"rate_limited", Retry_After="7") for _ in range(2)))

    # When the client is out of attempts
    with pytest.raises(TransientDeliveryError) as caught:
        slack(sleeps).deliver(NOTE)

    # Then the error carries the wait, for whoever schedules the next try
    assert caught.value.retry_after == 7.0
