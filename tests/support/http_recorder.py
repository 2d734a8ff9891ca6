"""A real HTTP server on 127.0.0.1 that records what it is sent and answers as scripted (Slack's fake)."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Scripted:
    """One answer: its status and headers, sent after delay_seconds (the request is recorded first);
    or, hang_up, the connection closed with no answer at all."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    hang_up: bool = False


class HttpRecorder:
    """Answers as scripted with answer_next(), else as always() said (200 "ok" by default).

    Every request is recorded when it has been read, before any delay: a request whose answer comes
    too late for the client is one the server took.
    """

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[Scripted] = deque()
        self._default = Scripted()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with recorder._lock:
                    recorder.requests.append(Recorded("POST", self.path, dict(self.headers.items()), body))
                    answer = recorder._script.popleft() if recorder._script else recorder._default
                if answer.delay_seconds:
                    recorder._closing.wait(answer.delay_seconds)
                if answer.hang_up:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "text/plain")
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(b"ok" if answer.status == 200 else b"error")
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up waiting: what a slow server sees

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/services/T000/B000/hook"

    def answer_next(
        self, *statuses: int, headers: dict[str, str] | None = None, delay_seconds: float = 0.0
    ) -> None:
        """The next requests get these statuses, in order (each with the headers and delay given)."""
        with self._lock:
            self._script.extend(Scripted(s, dict(headers or {}), delay_seconds) for s in statuses)

    def always(
        self, status: int = 200, *, headers: dict[str, str] | None = None, delay_seconds: float = 0.0
    ) -> None:
        """Every request past the script gets this status (with these headers), after delay_seconds."""
        with self._lock:
            self._default = Scripted(status, dict(headers or {}), delay_seconds)

    def hang_up_next(self, count: int = 1) -> None:
        """The next requests are read, recorded and answered by closing the connection."""
        with self._lock:
            self._script.extend(Scripted(hang_up=True) for _ in range(count))

    def __enter__(self) -> HttpRecorder:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()  # a delayed answer goes out now rather than outliving the test
        self._server.shutdown()
        self._server.server_close()
