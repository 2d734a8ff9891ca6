"""HTTP exchanges as a hostile client makes them: any method, target, header bytes and body, answered
with status, headers and the raw body, over one kept-alive connection to 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

Header = tuple[str, str | bytes]


@dataclass(frozen=True)
class RawAnswer:
    status: int  # 0 when no answer came (the failure is in `failure`)
    headers: dict[str, str]  # names in lower case
    body: bytes
    seconds: float
    failure: str | None = None

    def json(self) -> Any:
        return json.loads(self.body)


class RawClient:
    """Sends each request as given; a failed exchange closes the connection and the next opens anew."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def send(self, method: str, target: str, headers: list[Header], body: bytes | None) -> RawAnswer:
        started = time.monotonic()
        connection = self._connection or http.client.HTTPConnection(
            self._host, self._port, timeout=self._timeout
        )
        self._connection = connection
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", f"{self._host}:{self._port}")
            for name, value in headers:
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            answer = connection.getresponse()
            content = answer.read()
            status, answer_headers = answer.status, {k.lower(): v for k, v in answer.getheaders()}
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return RawAnswer(0, {}, b"", time.monotonic() - started, f"{type(error).__name__}: {error}")
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return RawAnswer(status, answer_headers, content, time.monotonic() - started)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> RawClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
