"""Plain HTTP on loopback for the fake-marketplace tests: a urllib client (the receiving end of a fake's
pushes is tests.support.loopback.JsonServer)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


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
