"""In-memory stand-ins for the connectors' ports: an HTTP transport that records and answers from a script,
a limiter that counts, a clock whose sleep moves time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from otklik.adapters.http import HttpError, HttpResponse, QueryValue
from otklik.domain.marketplaces.models import ApprovedReply, Connection
from otklik.domain.models import FeedbackKind

NOW = datetime(2026, 11, 22, 7, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    params: dict[str, QueryValue]
    json_body: Any
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, QueryValue]:
        """The params as they go on the wire: None values are left out."""
        return {key: value for key, value in self.params.items() if value is not None}


class FakeTransport:
    """Answers each request with the next scripted outcome: an HttpResponse, or an HttpError to raise."""

    def __init__(self, *outcomes: HttpResponse | HttpError) -> None:
        self._outcomes = list(outcomes)
        self.sent: list[Sent] = []

    def script(self, *outcomes: HttpResponse | HttpError) -> None:
        self._outcomes.extend(outcomes)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        self.sent.append(Sent(method, url, dict(params or {}), json_body, dict(headers or {})))
        if not self._outcomes:
            raise AssertionError(f"unscripted request {method} {url}")
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, HttpError):
            raise outcome
        return outcome


def ok(document: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, json.dumps(document, ensure_ascii=False).encode("utf-8"), {})


def no_content() -> HttpResponse:
    return HttpResponse(204, b"", {})


def failed(status: int, document: Any = None, headers: dict[str, str] | None = None) -> HttpError:
    detail = json.dumps(document, ensure_ascii=False) if document is not None else ""
    return HttpError(status, detail, headers)


class CountingLimiter:
    def __init__(self) -> None:
        self.acquired = 0

    def acquire(self) -> float:
        self.acquired += 1
        return 0.0


@dataclass
class FakeClock:
    """Monotonic seconds that move only when something sleeps on them."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def connection(
    marketplace: str, name: str = "shop", settings: dict[str, str] | None = None, **fields: Any
) -> Connection:
    credentials = {
        "wildberries": {"token": "/otklik/test/wb/token"},
        "ozon": {"client_id": "/otklik/test/ozon/client-id", "api_key": "/otklik/test/ozon/api-key"},
        "yandex_market": {"api_key": "/otklik/test/ym/api-key"},
    }[marketplace]
    return Connection.model_validate(
        {
            "name": name,
            "marketplace": marketplace,
            "credentials": credentials,
            "settings": settings or {},
            **fields,
        }
    )


def approved(
    marketplace: str,
    kind: FeedbackKind,
    external_id: str,
    text: str = "Спасибо за отзыв! Замену отправим бесплатно.",
    reply_context: dict[str, str] | None = None,
) -> ApprovedReply:
    return ApprovedReply.model_validate(
        {
            "reply_id": "rp_1",
            "ticket_id": "tk_1",
            "feedback_id": "fb_1",
            "marketplace": marketplace,
            "connection": "shop",
            "kind": kind,
            "external_id": external_id,
            "reply_context": reply_context or {},
            "text": text,
            "approved_by": "anna",
            "approved_at": NOW,
        }
    )
