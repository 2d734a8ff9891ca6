"""A step's service, built on the first invocation and kept while the container is warm.

Held by the handler module (or the step it made), never by the library: a test that loads a handler
afresh gets a fresh service, and a warm container parses its settings and opens its clients once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None

    def __call__(self) -> T:
        if self._value is None:
            self._value = self._build()
        return self._value
