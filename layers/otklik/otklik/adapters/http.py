"""The one outgoing HTTP client: JSON over urllib, retrying transient failures with backoff.

A failure is retried only when nothing can have been delivered (the connection failed: refused, DNS,
connect timeout) or when the server answered that it could not (5xx, 408, 425, a rate limit). Once a
request has left, a timeout or a reset says nothing of whether the server acted on it: such a request
is retried only when repeating it is harmless (GET, PUT, DELETE...), never a POST, which could then
post a notification or a reply twice.
"""

from __future__ import annotations

import http.client
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
# 408 and 425 ask for the same request again; every 5xx is the server's own trouble (see transient).
TRANSIENT_STATUSES = frozenset({408, 425}) | RATE_LIMIT_STATUSES
# Statuses whose Retry-After says when to come back (RFC 9110 §10.2.3): rate limits and 503.
RETRY_AFTER_STATUSES = RATE_LIMIT_STATUSES | {503}
# Methods whose repetition changes nothing more than the first request did (RFC 9110 §9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

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
    """The server answered with an error status, or no answer came (status 0).

    Without an answer, `cause` names the error's class, and `may_have_arrived` tells a request that
    never left (refused, DNS, connect timeout) from one sent with no answer after (read timeout,
    reset): the server may have acted on that one.
    """

    def __init__(
        self,
        status: int,
        detail: str,
        headers: Mapping[str, str] | None = None,
        *,
        cause: str = "",
        may_have_arrived: bool = False,
    ) -> None:
        super().__init__(f"HTTP {status}: {detail}" if status else detail)
        self.status = status
        self.detail = detail
        self.headers: dict[str, str] = dict(headers or {})
        self.cause = cause
        self.may_have_arrived = may_have_arrived

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status in TRANSIENT_STATUSES or 500 <= self.status <= 599

    @property
    def summary(self) -> str:
        """What happened without the URL (a webhook's URL is its secret): the status and the server's
        words, or the class of the error when no answer came."""
        if self.status:
            return f"HTTP {self.status}: {self.detail}"[:300]
        return f"{'no answer after sending' if self.may_have_arrived else 'not sent'} ({self.cause})"

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
        except urllib.error.URLError as error:
            # urllib wraps in URLError what fails while connecting and sending: nothing was delivered.
            reason = error.reason
            cause = type(reason).__name__ if isinstance(reason, BaseException) else type(error).__name__
            raise HttpError(0, f"cannot reach {request.full_url}: {reason}", cause=cause) from error
        except (OSError, http.client.HTTPException) as error:
            # What fails after the request was sent (waiting for or reading the answer) comes unwrapped.
            raise HttpError(
                0,
                f"no answer from {request.full_url}: {error}",
                cause=type(error).__name__,
                may_have_arrived=True,
            ) from error

    @staticmethod
    def _retryable(error: HttpError, method: str) -> bool:
        """Transient, and either known not to have arrived or harmless to repeat."""
        return error.transient and (not error.may_have_arrived or method in IDEMPOTENT_METHODS)

    def _pause(self, error: HttpError, attempt: int) -> float:
        """How long to wait before the next attempt: what the server asked for (capped), else backoff."""
        asked = error.retry_after_seconds if error.status in RETRY_AFTER_STATUSES else None
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
        body: bytes | None = None,
    ) -> HttpResponse:
        """Send one request (JSON body if any); retry transient failures; HttpError when out of attempts.

        body sends bytes exactly as given, on every attempt (what a signature over them needs), in place
        of json_body; its Content-Type is the caller's header, application/octet-stream without one.

        A 429, 420 or 503 waits for the seconds the server named in Retry-After or X-Ratelimit-Retry
        (at most max_retry_after_seconds); other transient failures back off exponentially. A request
        sent without an answer is not sent again unless its method is idempotent (see the module).
        Whether a failure is final for the caller's purpose is the caller's business.
        """
        if body is not None and json_body is not None:
            raise ValueError("a request has one body: json_body or body, not both")
        data = None if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        all_headers = {"Accept": "application/json"}
        if data is not None:
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        elif body is not None:
            # Without a type urllib would label the bytes as a form (application/x-www-form-urlencoded).
            data = body
            all_headers["Content-Type"] = "application/octet-stream"
        all_headers.update(headers or {})
        full_url = with_query(url, params)
        verb = method.upper()
        for attempt in range(1, self._attempts + 1):
            request = urllib.request.Request(full_url, data=data, headers=all_headers, method=verb)
            try:
                return self._once(request)
            except HttpError as error:
                if not self._retryable(error, verb) or attempt == self._attempts:
                    raise
                self._sleep(self._pause(error, attempt))
        raise AssertionError("unreachable: the loop returns or raises")

    def post_json(self, url: str, payload: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        """POST payload as JSON; retries what cannot have arrived, raises HttpError when out of attempts."""
        return self.request("POST", url, json_body=payload, headers=headers)

    def post_bytes(self, url: str, body: bytes, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """POST body exactly as given (its Content-Type in headers); the same retries as post_json."""
        return self.request("POST", url, body=body, headers=headers)
