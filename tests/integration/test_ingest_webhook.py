"""ingest_webhook on moto: a signed item lands in IngestQueue; anything refused leaves no trace."""

from __future__ import annotations

import time

from tests.integration.conftest import Stack
from tests.support.api_events import body_of, request_event, webhook_event
from tests.support.signing import sample_body, signature_for

FUNCTION = "IngestWebhookFunction"


def test_signed_webhook_is_queued_before_the_202(stack: Stack) -> None:
    # Given a signed review from the seller's site
    body = sample_body()
    # When it is posted
    response = stack.invoke(FUNCTION, webhook_event(body, signature_for(body)))
    # Then it is accepted, not a duplicate, and its message waits in IngestQueue
    assert response["statusCode"] == 202
    answer = body_of(response)
    assert answer["duplicate"] is False
    assert answer["id"].startswith("fb_")
    messages = stack.receive("IngestQueue")
    assert len(messages) == 1
    assert '"feedback_id":"' + answer["id"] + '"' in messages[0]["Body"]


def test_the_same_webhook_twice_is_one_message_and_a_duplicate(stack: Stack) -> None:
    body = sample_body()
    first = body_of(stack.invoke(FUNCTION, webhook_event(body, signature_for(body))))
    second = body_of(stack.invoke(FUNCTION, webhook_event(body, signature_for(body))))
    assert second == {"id": first["id"], "duplicate": True}
    assert len(stack.receive("IngestQueue")) == 1


def test_bad_signatures_are_401_and_queue_nothing(stack: Stack) -> None:
    body = sample_body()
    cases = {
        "missing": None,
        "wrong secret": signature_for(body, secret="not-the-secret"),
        "stale": signature_for(body, at=int(time.time()) - 301),
        "other body": signature_for(sample_body(text="другой текст")),
    }
    for case, signature in cases.items():
        response = stack.invoke(FUNCTION, webhook_event(body, signature))
        assert response["statusCode"] == 401, case
        assert body_of(response)["error"]["code"] == "unauthorized", case
    assert stack.receive("IngestQueue") == []


def test_schema_errors_are_400_with_the_fields_named(stack: Stack) -> None:
    body = sample_body(rating=7, kind="spam")
    response = stack.invoke(FUNCTION, webhook_event(body, signature_for(body)))
    assert response["statusCode"] == 400
    fields = {detail["field"] for detail in body_of(response)["error"]["details"]}
    assert {"rating", "kind"} <= fields
    assert stack.receive("IngestQueue") == []


def test_bad_json_is_400(stack: Stack) -> None:
    body = b'{"id": "x", "kind": '
    response = stack.invoke(FUNCTION, webhook_event(body, signature_for(body)))
    assert response["statusCode"] == 400
    assert "JSON" in body_of(response)["error"]["message"]
    assert stack.receive("IngestQueue") == []


def test_oversized_body_is_413(stack: Stack) -> None:
    body = sample_body(text="о" * 140_000)  # 280 000 bytes of UTF-8, over the 256 KB limit
    response = stack.invoke(FUNCTION, webhook_event(body, signature_for(body)))
    assert response["statusCode"] == 413
    assert stack.receive("IngestQueue") == []


def test_unknown_source_is_404(stack: Stack) -> None:
    body = sample_body()
    response = stack.invoke(FUNCTION, webhook_event(body, signature_for(body), source="nosuchsource"))
    assert response["statusCode"] == 404
    assert body_of(response)["error"]["code"] == "not_found"
    assert stack.receive("IngestQueue") == []


def test_a_get_is_405_naming_post_and_queues_nothing(stack: Stack) -> None:
    event = request_event("GET", "/webhooks/{source}", "/webhooks/custom", None, {"source": "custom"})
    response = stack.invoke(FUNCTION, event)
    assert (response["statusCode"], response["headers"]["Allow"]) == (405, "POST")
    assert body_of(response)["error"]["code"] == "method_not_allowed"
    assert stack.receive("IngestQueue") == []
