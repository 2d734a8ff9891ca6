"""urllib's urlopen scripted for unit tests of the HTTP client: each call gets the next answer or error."""

from __future__ import annotations

import email.message
import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


class Answer:
    """What urlopen hands back inside its with-block."""

    def __init__(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.status = status
        self._body = body
        self.headers = email.message.Message()
        self.headers["Content-Type"] = content_type

    def read(self) -> bytes:
        return self._body


def refusal(url: str, status: int, body: bytes = b"", **headers: str) -> urllib.error.HTTPError:
    """An error answer; header names are given with "_" for "-" (X_Ratelimit_Retry="2")."""
    message = email.message.Message()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return urllib.error.HTTPError(url, status, "error", message, io.BytesIO(body))


class ScriptedServer:
    """Answers each urlopen call with the next outcome: an Answer, or an exception to raise."""

    def __init__(self, *outcomes: Answer | Exception) -> None:
        self._outcomes = list(outcomes)
        self.requests: list[urllib.request.Request] = []

    @contextmanager
    def urlopen(self, request: urllib.request.Request, timeout: float) -> Iterator[Answer]:
        self.requests.append(request)
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        yield outcome


def serve(monkeypatch: pytest.MonkeyPatch, *outcomes: Answer | Exception) -> ScriptedServer:
    server = ScriptedServer(*outcomes)
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    return server
