"""Small HTTP servers on 127.0.0.1 for the tests: every request recorded, each answered as told.

    with JsonServer() as api:                      # a JSON API: a status and document per path
        api.answers["/tickets"] = (200, {"items": []})
        ...                                        # api.url() is http://127.0.0.1:<port>
        assert api.seen[0].query == {"status": "open"}

LoopbackServer takes any answer(request) -> Answer (PictureServer serves bytes by path with it).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Seen:
    """One request as the server read it: the path without its query (target: with it), headers by
    lower-case name."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    target: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow server)


class LoopbackServer:
    """Answers every GET, POST, PATCH, PUT and DELETE with answer(request); `seen` lists the requests."""

    def __init__(self, answer: Callable[[Seen], Answer]) -> None:
        self.seen: list[Seen] = []
        self._answer = answer
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Self:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Seen(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                    self.path,
                )
                server.seen.append(request)
                answer = server._answer(request)
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None, "start the server with `with`"
        return cast(int, self._server.server_address[1])

    def url(self, path: str = "") -> str:
        """The server's URL, or a path's on it: url("/volume.png") -> http://127.0.0.1:41234/volume.png."""
        return f"http://127.0.0.1:{self.port}{path}"


def json_answer(status: int, document: Any) -> Answer:
    return Answer(status, json.dumps(document, ensure_ascii=False).encode())


class JsonServer(LoopbackServer):
    """A JSON API: each path answers the (status, document) set in `answers`, any other `default`."""

    def __init__(self, default: tuple[int, Any] = (200, {})) -> None:
        super().__init__(self._json)
        self.answers: dict[str, tuple[int, Any]] = {}
        self.default = default
        self.delay = 0.0  # seconds before each answer (a slow API)

    def _json(self, request: Seen) -> Answer:
        answer = json_answer(*self.answers.get(request.path, self.default))
        return dataclasses.replace(answer, delay=self.delay) if self.delay else answer

    def bodies(self) -> list[tuple[str, Any]]:
        """Each request's path and JSON body, in order."""
        return [(request.path, request.json()) for request in self.seen]
