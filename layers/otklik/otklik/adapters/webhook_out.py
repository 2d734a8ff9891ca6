"""A signed outgoing webhook as a notification channel: each delivery POSTed as JSON to the seller's URL.

The body is signed as our incoming webhooks are (otklik.domain.signature): X-Otklik-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>, over the exact bytes sent, which the
receiver checks with the secret it shares with us before it trusts the body.

Delivery is at least once, by design: a POST sent without an answer (a read timeout, a reset) is tried
again, like an outage, rather than recorded as unconfirmed. So a receiver may get one delivery twice,
and deduplicates on X-Otklik-Delivery (the delivery's id, the same on every try; also the body's "id").
A Slack-style webhook cannot do that and is at most once instead (otklik.adapters.slack).
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from otklik.adapters.http import HttpClient, HttpError
from otklik.domain.models import ChannelResult, Delivery
from otklik.domain.signature import SIGNATURE_HEADER, sign
from otklik.ports import ChannelUnavailable

DELIVERY_HEADER = "X-Otklik-Delivery"
EVENT_HEADER = "X-Otklik-Event"
# How much of a refusal's answer is kept: enough for the receiver's reason, not a whole error page.
MAX_ANSWER_CHARS = 200
_BODY_FIELDS = ("id", "event", "notification_id", "recipient", "title", "text", "link", "urgent", "language")


def body_of(delivery: Delivery, sent_at: datetime) -> bytes:
    """The JSON the receiver gets, as the bytes that are signed and sent (UTF-8, compact)."""
    fields = delivery.model_dump(mode="json")
    payload: dict[str, Any] = {name: fields[name] for name in _BODY_FIELDS}
    payload["data"] = fields["data"]
    payload["sent_at"] = sent_at.isoformat()
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class SignedWebhookChannel:
    """POSTs each delivery, signed with secret, to url; the URL and the secret appear in no result."""

    def __init__(
        self,
        http: HttpClient,
        url: str,
        secret: str,
        name: str = "webhook",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self._http = http
        self._url = url
        self._secret = secret
        self._clock = clock

    def _without_secrets(self, text: str) -> str:
        """The receiver's answer with our URL (whole, or its path) and secret taken out, should it echo
        them, as a 404 page naming the path does."""
        parts = urllib.parse.urlsplit(self._url)
        path_and_query = f"{parts.path}?{parts.query}" if parts.query else parts.path
        for secret in (self._url, self._url.split("?", 1)[0], path_and_query, parts.path, self._secret):
            if secret and secret != "/":
                text = text.replace(secret, "[redacted]")
        return text

    def deliver(self, delivery: Delivery) -> ChannelResult:
        """Sent on a 2xx; failed on a refusal for good; ChannelUnavailable when it may heal.

        At least once: a POST sent without an answer raises ChannelUnavailable, as an outage does, so
        it is posted again, with the same X-Otklik-Delivery, on which the receiver deduplicates.

        | the receiver answers                                          | outcome                          |
        |---------------------------------------------------------------|----------------------------------|
        | 2xx                                                           | sent ("HTTP <status>")           |
        | 5xx, 408, 425, 429 (retry_after from Retry-After)             | ChannelUnavailable               |
        | nothing: refused, DNS, connect timeout (never sent)           | ChannelUnavailable               |
        | nothing after sending: read timeout, reset (may have arrived) | ChannelUnavailable               |
        | any other 4xx                                                 | failed ("HTTP <status>: answer") |
        """
        timestamp = int(self._clock())
        body = body_of(delivery, datetime.fromtimestamp(timestamp, UTC))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(self._secret, body, timestamp),
            DELIVERY_HEADER: delivery.id,
            EVENT_HEADER: delivery.event,
        }
        try:
            response = self._http.post_bytes(self._url, body, headers)
        except HttpError as error:
            if error.may_have_arrived or error.transient:
                # A redelivery the receiver already took is one it drops by X-Otklik-Delivery.
                cause = f"HTTP {error.status}" if error.status else error.cause
                raise ChannelUnavailable(
                    self._without_secrets(error.summary), cause, retry_after=error.retry_after_seconds
                ) from error
            answer = " ".join(self._without_secrets(error.detail).split())[:MAX_ANSWER_CHARS]
            return ChannelResult(
                channel=self.name,
                status="failed",
                detail=f"HTTP {error.status}: {answer}" if answer else f"HTTP {error.status}",
                error=f"HTTP {error.status}",
            )
        return ChannelResult(channel=self.name, status="sent", detail=f"HTTP {response.status}")
