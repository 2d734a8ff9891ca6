"""The one outgoing HTTP client: JSON over urllib, retrying transient failures with backoff."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

# 420 is Yandex Market's "Enhance Your Calm" (its rate limit), 429 everyone else's.
RATE_LIMIT_STATUSES = frozenset({420, 429})
TRANSIENT_STATUSES = frozenset({408, 425, 500, 502, 503, 504}) | RATE_LIMIT_STATUSES

# Headers that say how many seconds to wait before the next try: the standard one and Wildberries'.
RETRY_AFTER_HEADERS = ("Retry-After", "X-Ratelimit-Retry")

QueryValue = str | int | float | bool | None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        """A header's value whatever its case, or None."""
        return _header(self.headers, name)

    def json(self) -> Any:
        """The body as JSON; an empty body is None. Raises ValueError when it is not JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body.decode("utf-8"))


class HttpError(Exception):
    """The server answered with an error status, or could not be reached at all (status 0)."""

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail}" if status else detail)
        self.status = status
        self.detail = detail
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status in TRANSIENT_STATUSES

    @property
    def rate_limited(self) -> bool:
        return self.status in RATE_LIMIT_STATUSES

    def header(self, name: str) -> str | None:
        return _header(self.headers, name)

    @property
    def retry_after_seconds(self) -> float | None:
        """Seconds the server asked us to wait (Retry-After or X-Ratelimit-Retry), when given in seconds."""
        for name in RETRY_AFTER_HEADERS:
            value = self.header(name)
            if value is None:
                continue
            try:
                seconds = float(value.strip())
            except ValueError:
                continue  # an HTTP date: we keep no clock here, so the usual backoff applies
            return max(seconds, 0.0)
        return None


class HttpTransport(Protocol):
    """What the marketplace connectors need of HTTP; HttpClient is the adapter, tests use a fake."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse: ...


def _query_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def with_query(url: str, params: Mapping[str, QueryValue] | None) -> str:
    """The URL with params appended; None values are left out, booleans are written true/false."""
    pairs = [(key, _query_value(value)) for key, value in (params or {}).items() if value is not None]
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)


class HttpClient:
    def __init__(
        self,
        timeout_seconds: float = 5.0,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        max_retry_after_seconds: float = 30.0,
    ) -> None:
        self._timeout = timeout_seconds
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._max_retry_after = max_retry_after_seconds

    def _once(self, request: urllib.request.Request) -> HttpResponse:
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                return HttpResponse(answer.status, answer.read(), dict(answer.headers.items()))
        except urllib.error.HTTPError as error:
            headers = dict(error.headers.items()) if error.headers is not None else {}
            detail = error.read()[:500].decode("utf-8", "replace")
            raise HttpError(error.code, detail, headers) from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise HttpError(0, f"cannot reach {request.full_url}: {error}") from error

    def _pause(self, error: HttpError, attempt: int) -> float:
        """How long to wait before the next attempt: what a rate limit asked for (capped), else backoff."""
        asked = error.retry_after_seconds if error.rate_limited else None
        if asked is not None:
            return min(asked, self._max_retry_after)
        return float(self._backoff * 2 ** (attempt - 1))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send one request (JSON body if any); retry transient failures; HttpError when out of attempts.

        A 429 or 420 waits for the seconds the server named in Retry-After or X-Ratelimit-Retry
        (at most max_retry_after_seconds); other transient failures back off exponentially.
        Whether a failure is final for the caller's purpose is the caller's business.
        """
        data = None if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        all_headers = {"Accept": "application/json"}
        if data is not None:
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        all_headers.update(headers or {})
        full_url = with_query(url, params)
        for attempt in range(1, self._attempts + 1):
            request = urllib.request.Request(full_url, data=data, headers=all_headers, method=method.upper())
            try:
                return self._once(request)
            except HttpError as error:
                if not error.transient or attempt == self._attempts:
                    raise
                self._sleep(self._pause(error, attempt))
        raise AssertionError("unreachable: the loop returns or raises")

    def post_json(self, url: str, payload: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        """POST payload as JSON; retries transient failures, raises HttpError when out of attempts."""
        return self.request("POST", url, json_body=payload, headers=headers)
