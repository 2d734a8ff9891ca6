"""The one outgoing HTTP client: JSON over urllib, retrying transient failures with backoff."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str]


class HttpError(Exception):
    """The server answered with an error status, or could not be reached at all (status 0)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}" if status else detail)
        self.status = status
        self.detail = detail

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status in TRANSIENT_STATUSES


class HttpClient:
    def __init__(
        self,
        timeout_seconds: float = 5.0,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._timeout = timeout_seconds
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    def _once(self, request: urllib.request.Request) -> HttpResponse:
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                return HttpResponse(answer.status, answer.read(), dict(answer.headers.items()))
        except urllib.error.HTTPError as error:
            raise HttpError(error.code, error.read()[:500].decode("utf-8", "replace")) from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise HttpError(0, f"cannot reach {request.full_url}: {error}") from error

    def post_json(self, url: str, payload: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        """POST payload as JSON; retries transient failures, raises HttpError when out of attempts."""
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        for attempt in range(1, self._attempts + 1):
            request = urllib.request.Request(url, data=data, headers=all_headers, method="POST")
            try:
                return self._once(request)
            except HttpError as error:
                if not error.transient or attempt == self._attempts:
                    raise
                self._sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the loop returns or raises")
