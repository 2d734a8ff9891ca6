"""Plain HTTP on loopback for the fake-marketplace tests: a urllib client and a tiny push receiver."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, or None for an empty body

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)


def call(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    raw_body: bytes | None = None,
) -> Reply:
    data = raw_body if raw_body is not None else None if json_body is None else json.dumps(json_body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if json_body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, dict(response.headers), _parse(response.read()))
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, dict(error.headers), _parse(error.read()))


def _parse(raw: bytes) -> Any:
    return json.loads(raw) if raw else None


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class PushReceiver:
    """An endpoint standing in for otklik's webhook: records what arrives and answers as told."""

    status: int = 200
    answer: Any = field(default_factory=lambda: {"result": True})
    deliveries: list[Delivery] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> PushReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.deliveries.append(
                    Delivery(self.path, dict(self.headers), _parse(self.rfile.read(length)))
                )
                payload = json.dumps(receiver.answer).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = cast(tuple[str, int], self._server.server_address[:2])
        return f"http://{host}:{port}"
