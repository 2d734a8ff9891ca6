"""What every fake marketplace shares: a loopback HTTP server, routes, a request log, scripted faults."""

from __future__ import annotations

import copy
import json
import logging
import math
import re
import threading
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self, cast
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
# Sample and seeded items get creation times from here on, a few dozen minutes apart, so every run
# of a fake serves the same data in the same order.
SEED_EPOCH = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
SEED_STEP = timedelta(minutes=47)


class Reject(Exception):
    """A handler refuses the request; the fake answers with this response (a 4xx in the platform's form)."""

    def __init__(self, response: FakeResponse) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


@dataclass(frozen=True)
class FakeRequest:
    """One request as a handler sees it. Header names are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter, or None when it is absent."""
        values = self.query.get(name)
        return values[0] if values else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class FakeResponse:
    status: int
    body: Any = None  # JSON-serialisable; None sends no body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    reason: str | None = None  # status line phrase, for codes http.HTTPStatus does not know (420)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received and the status it answered with."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # parsed JSON when the body was JSON, else the raw text (empty string for no body)
    status: int


class TokenBucket:
    """Token bucket: `burst` requests at once, refilled at `per_second`. Thread-safe."""

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a token bucket needs per_second > 0 and burst >= 1")
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.per_second)
        self._stamp = now

    def take(self) -> float:
        """0.0 when a token was taken, else the seconds until one will be there."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.per_second

    def remaining(self) -> int:
        with self._lock:
            self._refill()
            return int(self._tokens)

    def seconds_until_full(self) -> float:
        with self._lock:
            self._refill()
            return (self.burst - self._tokens) / self.per_second


@dataclass
class _Fault:
    status: int
    remaining: int
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class StoredItem:
    """An item as the platform would serve it, with the fake's own bookkeeping beside it."""

    key: str  # the fake's handle on the item; equal to the platform id unless the item was made malformed
    created: datetime
    seq: int
    item: dict[str, Any]


class ItemStore:
    """Items of one kind, oldest first. Not locked: the fake serialises requests and seeding."""

    def __init__(self) -> None:
        self._items: dict[str, StoredItem] = {}
        self._seq = 0

    def put(self, key: str, created: datetime, item: dict[str, Any]) -> StoredItem:
        previous = self._items.get(key)
        seq = previous.seq if previous else self._next_seq()
        stored = StoredItem(key=key, created=created, seq=seq, item=item)
        self._items[key] = stored
        return stored

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def get(self, key: str) -> StoredItem | None:
        return self._items.get(key)

    def oldest_first(self) -> list[StoredItem]:
        return sorted(self._items.values(), key=lambda stored: (stored.created, stored.seq))

    def __len__(self) -> int:
        return len(self._items)


ReplyState = Literal["published", "pending", "rejected"]
REPLY_STATES: tuple[ReplyState, ...] = ("published", "pending", "rejected")


@dataclass(frozen=True)
class Verdict:
    """What the fake's moderation made of one reply: its state and, for the test's record, why."""

    state: ReplyState
    reason: str | None = None


class ReplyModeration:
    """The fake's own moderation of replies: one-shot verdicts for the next replies, then banned words.

    Not locked: the fake serialises requests and knobs.
    """

    def __init__(self) -> None:
        self._next: list[Verdict] = []
        self._words: list[tuple[str, str | None]] = []

    def moderate_next(self, verdict: ReplyState, reason: str | None) -> None:
        if verdict not in ("rejected", "pending"):
            raise ValueError("a moderation verdict is 'rejected' or 'pending'")
        self._next.append(Verdict(verdict, reason))

    def reject_containing(self, word: str, reason: str | None) -> None:
        if not word.strip():
            raise ValueError("a banned word must not be empty")
        self._words.append((word.casefold(), reason))

    def judge(self, text: str) -> Verdict:
        """The verdict on an accepted reply; a one-shot verdict is used up by it."""
        if self._next:
            return self._next.pop(0)
        folded = text.casefold()
        for word, reason in self._words:
            if word in folded:
                return Verdict("rejected", reason or f"contains {word!r}")
        return Verdict("published")


def check_reply_state(state: str) -> ReplyState:
    for known in REPLY_STATES:
        if state == known:
            return known
    raise ValueError(f"a reply state is one of {', '.join(REPLY_STATES)}, not {state!r}")


def seeded_time(seq: int) -> datetime:
    return SEED_EPOCH + SEED_STEP * seq


def malform(item: dict[str, Any], drop: Iterable[str], replace: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of item without the dropped keys and with some values swapped (e.g. a number for a string)."""
    broken = copy.deepcopy(item)
    for key in drop:
        broken.pop(key, None)
    broken.update(copy.deepcopy(dict(replace)))
    return broken


def dig(item: Any, *path: str) -> Any:
    """item[path[0]][path[1]]..., or None where the way is missing or not a mapping (malformed items)."""
    for key in path:
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return item


def post_json(
    url: str, payload: Any, *, headers: Mapping[str, str] | None = None, timeout: float = 10.0
) -> tuple[int, Any]:
    """POST payload as JSON the way a platform pushes a notification; (status, parsed JSON or text)."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/json; charset=utf-8")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _decode(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _decode(error.read())


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Callable[[FakeRequest], FakeResponse]


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") and part.endswith("}") else re.escape(part)
        for part in parts
    )
    return re.compile(f"^{regex}/?$")


class FakeMarketplace(ABC):
    """A platform's API on loopback. Subclasses add routes, auth, error forms and their items.

    Every request runs under one lock, so seeding from a test thread and serving are thread-safe and a
    scripted fault is consumed by exactly one request.
    """

    platform = "marketplace"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.requested_port = port
        self._routes: list[_Route] = []
        self._lock = threading.RLock()
        self._log: list[RecordedRequest] = []
        self._answers: list[dict[str, Any]] = []
        self._reply_states: list[dict[str, Any]] = []
        self._moderation = ReplyModeration()
        self._faults: list[_Fault] = []
        self._forced_limits = 0
        self._seeded = 0
        self._bucket: TokenBucket | None = None
        self._repeats = 0
        self._page_cap: int | None = None
        self._server: _FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _FakeHTTPServer((self.host, self.requested_port), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-{self.platform}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"fake {self.platform} is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:41237 (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------ knobs

    def _next_seed(self) -> int:
        """The next sequence number for seeded items (ids and times derive from it)."""
        self._seeded += 1
        return self._seeded

    def fail_next(
        self,
        status: int,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` API requests with `status` (body in the platform's error form by default).

        Calls queue up: fail_next(503); fail_next(500) fails one request with 503, the next with 500.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(_Fault(status, times, dict(headers or {}), copy.deepcopy(body)))

    def rate_limit(self, per_second: float, burst: int) -> None:
        """Throttle API requests with a token bucket: `burst` at once, refilled at `per_second`."""
        with self._lock:
            self._bucket = TokenBucket(per_second, burst)

    def no_rate_limit(self) -> None:
        with self._lock:
            self._bucket = None

    def rate_limit_next(self, times: int = 1) -> None:
        """Answer the next `times` authenticated API requests as rate-limited, whatever the bucket holds."""
        with self._lock:
            self._forced_limits += times

    def repeat_item_on_next_page(self, times: int = 1) -> None:
        """The next `times` follow-up pages start one item early, repeating the previous page's last item.

        That is what a platform does when an item arrives (or moves) while a client pages through a list.
        """
        with self._lock:
            self._repeats += times

    def cap_page_size(self, size: int | None) -> None:
        """Serve at most `size` items per page whatever the client asks for (None: no cap)."""
        if size is not None and size < 1:
            raise ValueError("size must be >= 1")
        with self._lock:
            self._page_cap = size

    def moderate_next_reply(self, verdict: ReplyState, reason: str | None = None) -> None:
        """The next accepted reply gets `verdict` ("rejected" or "pending") instead of being published.

        Calls queue up, one verdict per accepted reply.
        """
        with self._lock:
            self._moderation.moderate_next(verdict, reason)

    def reject_replies_containing(self, word: str, reason: str | None = None) -> None:
        """Every later accepted reply holding `word` (case aside) is rejected."""
        with self._lock:
            self._moderation.reject_containing(word, reason)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._answers.clear()
            self._reply_states.clear()

    # ------------------------------------------------------------ recorded state

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    @property
    def answers(self) -> list[dict[str, Any]]:
        """Replies the fake accepted, oldest first: {"method", "path", "body"}."""
        with self._lock:
            return copy.deepcopy(self._answers)

    @property
    def reply_states(self) -> list[dict[str, Any]]:
        """Every state a stored reply took, oldest first: {"item_id", "state", "platform_state", "reason",
        "text"}; state is published, pending, rejected or deleted, platform_state the platform's word."""
        with self._lock:
            return copy.deepcopy(self._reply_states)

    # ------------------------------------------------------------ for subclasses

    def _route(self, method: str, template: str, handler: Callable[[FakeRequest], FakeResponse]) -> None:
        self._routes.append(_Route(method.upper(), template, _compile(template), handler))

    @abstractmethod
    def _authenticate(self, request: FakeRequest) -> FakeResponse | None:
        """None when the request carries valid credentials, else the platform's refusal."""

    @abstractmethod
    def _error(self, status: int, message: str) -> FakeResponse:
        """An error answer in the platform's own form."""

    @abstractmethod
    def _rate_limited(self, retry_after: float, bucket: TokenBucket | None) -> FakeResponse:
        """The platform's answer to a throttled request."""

    def _decorate(self, response: FakeResponse, bucket: TokenBucket | None) -> None:
        """Add headers a platform sends on every answered API request (e.g. remaining quota)."""
        del response, bucket  # most platforms send none

    def _reject(self, status: int, message: str) -> Reject:
        return Reject(self._error(status, message))

    def _json(self, request: FakeRequest, *, required: bool = True) -> Any:
        if not request.body.strip():
            if required:
                raise self._reject(HTTPStatus.BAD_REQUEST, "request body is empty")
            return {}
        try:
            return json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"request body is not valid JSON: {error}") from error

    def _json_object(self, request: FakeRequest, *, required: bool = True) -> dict[str, Any]:
        body = self._json(request, required=required)
        if not isinstance(body, dict):
            raise self._reject(HTTPStatus.BAD_REQUEST, "request body must be a JSON object")
        return body

    def _record_answer(self, request: FakeRequest, body: Any) -> None:
        self._answers.append({"method": request.method, "path": request.path, "body": copy.deepcopy(body)})

    def _judge(self, text: str) -> Verdict:
        return self._moderation.judge(text)

    def _record_state(
        self, item_id: str, state: str, platform_state: str, reason: str | None, text: str | None
    ) -> None:
        self._reply_states.append(
            {
                "item_id": item_id,
                "state": state,
                "platform_state": platform_state,
                "reason": reason,
                "text": text,
            }
        )

    def _take_repeat(self) -> bool:
        """True (once per armed repeat) when a follow-up page should start one item early."""
        if self._repeats > 0:
            self._repeats -= 1
            return True
        return False

    def _page_size(self, requested: int) -> int:
        return min(requested, self._page_cap) if self._page_cap is not None else requested

    # ------------------------------------------------------------ dispatch

    def _handle(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            response = self._dispatch(request)
            self._log.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    headers=request.headers,
                    body=_decode(request.body) if request.body else "",
                    status=response.status,
                )
            )
            return response

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        matched = self._match(request)
        if isinstance(matched, FakeResponse):
            return matched
        route, params = matched
        request = FakeRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            params=params,
        )
        if self._faults:
            return self._scripted_fault()
        refusal = self._authenticate(request)
        if refusal is not None:
            return refusal
        bucket = self._bucket
        if self._forced_limits > 0:
            self._forced_limits -= 1
            return self._rate_limited(1.0, bucket)
        if bucket is not None:
            wait = bucket.take()
            if wait > 0:
                return self._rate_limited(wait, bucket)
        try:
            response = route.handler(request)
        except Reject as rejection:
            response = rejection.response
        self._decorate(response, bucket)
        return response

    def _match(self, request: FakeRequest) -> tuple[_Route, dict[str, str]] | FakeResponse:
        path_matches = False
        for route in self._routes:
            found = route.pattern.match(request.path)
            if found is None:
                continue
            path_matches = True
            if route.method == request.method:
                return route, found.groupdict()
        if path_matches:
            return self._error(HTTPStatus.METHOD_NOT_ALLOWED, f"method {request.method} is not allowed here")
        return self._error(HTTPStatus.NOT_FOUND, f"no such method: {request.method} {request.path}")

    def _scripted_fault(self) -> FakeResponse:
        fault = self._faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.pop(0)
        if fault.body is None:
            response = self._error(fault.status, f"scripted failure {fault.status}")
        else:
            response = FakeResponse(fault.status, copy.deepcopy(fault.body))
        response.headers.update(fault.headers)
        return response


def retry_seconds(wait: float) -> int:
    """Seconds a client should wait, as whole seconds in a header (at least 1)."""
    return max(1, math.ceil(wait))


def now_utc() -> datetime:
    return datetime.now(UTC)


class _FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops connections a parallel poller opens at once
    fake: FakeMarketplace


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "otklik-fake/1"

    def _serve(self) -> None:
        fake = cast(_FakeHTTPServer, self.server).fake
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(fake._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body is too large"))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        self._send(fake._handle(request))

    def _send(self, response: FakeResponse) -> None:
        payload = b"" if response.body is None else json.dumps(response.body, ensure_ascii=False).encode()
        self.send_response(response.status, response.reason)
        if response.body is not None:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)
