"""The signed outgoing webhook against a real server on 127.0.0.1: the receiver can verify what it got,
deduplicate on the delivery id, and is posted to again after an outage or an answer that never came."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from otklik.adapters.http import HttpClient
from otklik.adapters.webhook_out import SignedWebhookChannel
from otklik.domain.models import Delivery
from otklik.domain.signature import SignatureError, verify
from otklik.ports import ChannelUnavailable
from tests.support.http_recorder import HttpRecorder, Recorded
from tests.support.scripted_http import refusal, serve

SECRET = "whsec_9f8e7d6c5b4a"
NOW = datetime(2026, 11, 22, 7, 0, 0, tzinfo=UTC)
NOW_UNIX = int(NOW.timestamp())
DUE = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
DELIVERY = Delivery(
    id="dl_nt_1_webhook",
    notification_id="nt_1",
    event="ticket_opened",
    channel="webhook",
    recipient="crm",
    title="[high] Новый тикет tk_1",
    text="команда: support · приоритет: high\n«Порвалось, пишите [email]»",
    link="https://ops.example.test/tickets/tk_1",
    urgent=True,
    data={"ticket_id": "tk_1", "priority": "high", "team": "support", "first_response_due_at": DUE},
)
# Short enough for a test, long enough for a loopback answer; a hanging receiver answers far later.
TIMEOUT_SECONDS = 0.3
HANG_SECONDS = 30.0


@pytest.fixture
def receiver(loopback: None) -> Iterator[HttpRecorder]:
    with HttpRecorder() as recorder:
        yield recorder


@pytest.fixture
def sleeps() -> list[float]:
    return []


def channel(url: str, sleeps: list[float], attempts: int = 2) -> SignedWebhookChannel:
    http = HttpClient(timeout_seconds=TIMEOUT_SECONDS, attempts=attempts, sleep=sleeps.append)
    return SignedWebhookChannel(http, url, SECRET, clock=lambda: NOW.timestamp() + 0.75)


def header(request: Recorded, name: str) -> str | None:
    """A header the receiver got, whatever its case (urllib sends X-otklik-delivery)."""
    return next((value for key, value in request.headers.items() if key.lower() == name.lower()), None)


def assert_no_secrets(text: str, url: str) -> None:
    assert SECRET not in text
    assert url not in text
    assert "/services/T000/B000/hook" not in text


# ---------------------------------------------------------------- what the receiver gets


def test_the_receiver_can_verify_the_signature_over_the_bytes_it_got(
    receiver: HttpRecorder, sleeps: list[float]
) -> None:
    # When a delivery is posted
    channel(receiver.url, sleeps).deliver(DELIVERY)

    # Then the signature, made at the clock's second, verifies over the exact bytes received
    (request,) = receiver.requests
    signature = header(request, "X-Otklik-Signature")
    assert signature is not None
    assert signature.startswith(f"t={NOW_UNIX},v1=")
    verify(signature, request.body, SECRET, now_unix=NOW_UNIX)
    # And it verifies with that secret only, over those bytes only
    with pytest.raises(SignatureError):
        verify(signature, request.body, "another-secret", now_unix=NOW_UNIX)
    with pytest.raises(SignatureError):
        verify(signature, request.body + b" ", SECRET, now_unix=NOW_UNIX)


def test_the_body_is_the_deliverys_json(receiver: HttpRecorder, sleeps: list[float]) -> None:
    channel(receiver.url, sleeps).deliver(DELIVERY)

    (request,) = receiver.requests
    assert request.json() == {
        "id": "dl_nt_1_webhook",
        "event": "ticket_opened",
        "notification_id": "nt_1",
        "recipient": "crm",
        "title": "[high] Новый тикет tk_1",
        "text": "команда: support · приоритет: high\n«Порвалось, пишите [email]»",
        "link": "https://ops.example.test/tickets/tk_1",
        "urgent": True,
        "language": "ru",
        "data": {
            "ticket_id": "tk_1",
            "priority": "high",
            "team": "support",
            "first_response_due_at": "2026-11-22T09:00:00Z",
        },
        "sent_at": "2026-11-22T07:00:00+00:00",
    }
    # UTF-8 as it is, not \u escapes: what a receiver logging the body can read
    assert "Новый тикет".encode() in request.body


def test_the_headers_name_the_delivery_and_the_event_and_the_body_type(
    receiver: HttpRecorder, sleeps: list[float]
) -> None:
    channel(receiver.url, sleeps).deliver(DELIVERY)

    (request,) = receiver.requests
    assert request.path == "/services/T000/B000/hook"
    assert header(request, "X-Otklik-Delivery") == "dl_nt_1_webhook"
    assert header(request, "X-Otklik-Event") == "ticket_opened"
    assert header(request, "Content-Type") == "application/json; charset=utf-8"


@pytest.mark.parametrize("status", [200, 202])
def test_an_accepted_post_is_sent(receiver: HttpRecorder, sleeps: list[float], status: int) -> None:
    receiver.always(status)

    result = channel(receiver.url, sleeps).deliver(DELIVERY)

    assert (result.channel, result.status, result.detail) == ("webhook", "sent", f"HTTP {status}")
    assert len(receiver.requests) == 1


# ---------------------------------------------------------------- at least once


@pytest.mark.parametrize("hang", ["answers too late", "hangs up"])
def test_a_post_sent_without_an_answer_is_tried_again_with_the_same_delivery_id(
    receiver: HttpRecorder, sleeps: list[float], hang: str
) -> None:
    # Given a receiver that reads the post, then answers after the client stopped waiting (or never)
    if hang == "answers too late":
        receiver.answer_next(200, delay_seconds=HANG_SECONDS)
    else:
        receiver.hang_up_next()
    webhook = channel(receiver.url, sleeps, attempts=3)

    # When a delivery is posted
    with pytest.raises(ChannelUnavailable) as caught:
        webhook.deliver(DELIVERY)

    # Then it raises, as an outage does, so it is posted again (once per delivery: a POST that may have
    # arrived is not repeated inside the client), and nothing of the URL is in the error
    assert len(receiver.requests) == 1
    assert str(caught.value).startswith("no answer after sending (")
    assert_no_secrets(str(caught.value), receiver.url)

    # When it is delivered again
    result = webhook.deliver(DELIVERY)

    # Then the receiver got it twice with the same delivery id, which it deduplicates on
    assert result.status == "sent"
    first, second = receiver.requests
    assert header(first, "X-Otklik-Delivery") == header(second, "X-Otklik-Delivery") == DELIVERY.id
    assert first.json()["id"] == second.json()["id"] == DELIVERY.id


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_a_permanent_refusal_fails_without_retrying(
    receiver: HttpRecorder, sleeps: list[float], status: int
) -> None:
    receiver.always(status)

    result = channel(receiver.url, sleeps).deliver(DELIVERY)

    assert (result.status, result.error, result.detail) == (
        "failed",
        f"HTTP {status}",
        f"HTTP {status}: error",
    )
    assert len(receiver.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_transient_failure_is_retried_then_raises_with_the_wait_asked_for(
    receiver: HttpRecorder, sleeps: list[float], status: int
) -> None:
    # Given a receiver that is down, asking for 7 seconds
    receiver.always(status, headers={"Retry-After": "7"})

    # When a delivery is posted
    with pytest.raises(ChannelUnavailable) as caught:
        channel(receiver.url, sleeps).deliver(DELIVERY)

    # Then the client tried twice, with the same bytes and delivery id, and the error carries the wait
    assert (caught.value.cause, caught.value.retry_after) == (f"HTTP {status}", 7.0)
    first, second = receiver.requests
    assert first.body == second.body
    assert header(first, "X-Otklik-Signature") == header(second, "X-Otklik-Signature")
    assert_no_secrets(str(caught.value), receiver.url)


def test_a_failure_without_retry_after_asks_for_no_particular_wait(
    receiver: HttpRecorder, sleeps: list[float]
) -> None:
    receiver.always(500)

    with pytest.raises(ChannelUnavailable) as caught:
        channel(receiver.url, sleeps).deliver(DELIVERY)

    assert caught.value.retry_after is None


def test_a_refused_connection_raises_and_names_no_url(loopback: None, sleeps: list[float]) -> None:
    # Given a port on 127.0.0.1 nothing listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/services/T000/B000/hook"

    with pytest.raises(ChannelUnavailable) as caught:
        channel(url, sleeps).deliver(DELIVERY)

    assert caught.value.cause == "ConnectionRefusedError"
    assert str(caught.value) == "not sent (ConnectionRefusedError)"
    assert_no_secrets(str(caught.value), url)


def test_a_refusal_echoing_the_url_and_the_secret_keeps_neither_and_200_characters_of_the_answer(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    # Given a receiver whose 404 page quotes the path it was posted to, the whole URL, and the secret
    url = "https://crm.example.test/hooks/otklik/abc123?token=t0ps3cret"
    page = f"Cannot POST /hooks/otklik/abc123?token=t0ps3cret ({url}), secret {SECRET}. " + "x" * 400
    serve(monkeypatch, refusal(url, 404, page.encode()))

    # When a delivery is posted
    result = channel(url, sleeps).deliver(DELIVERY)

    # Then the answer is kept, cut to 200 characters, with neither the URL nor the secret in it
    assert result.status == "failed"
    answer = result.detail.removeprefix("HTTP 404: ")
    assert answer.startswith("Cannot POST [redacted] ([redacted]), secret [redacted]. xxx")
    assert len(answer) == 200
    assert "abc123" not in result.detail
    assert "t0ps3cret" not in result.detail
    assert SECRET not in result.detail
