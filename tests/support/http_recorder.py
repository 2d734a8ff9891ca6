"""A real HTTP server on 127.0.0.1 that records what it is sent and answers as scripted (Slack's fake)."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
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


class HttpRecorder:
    """Answers 200 "ok" unless statuses were queued with answer_next(); every request is recorded."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[int] = deque()
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with recorder._lock:
                    recorder.requests.append(Recorded("POST", self.path, dict(self.headers.items()), body))
                    status = recorder._script.popleft() if recorder._script else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"error")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/services/T000/B000/hook"

    def answer_next(self, *statuses: int) -> None:
        with self._lock:
            self._script.extend(statuses)

    def __enter__(self) -> HttpRecorder:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
