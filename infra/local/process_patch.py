"""A process-wide patch that running stacks share: in place while at least one of them runs."""

from __future__ import annotations

import threading
from typing import Any


class ProcessPatch:
    """owner.name replaced by replacement from the first acquire() until the last release()."""

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self._owner = owner
        self._name = name
        self._original = getattr(owner, name)
        self._replacement = replacement
        self._holders = 0
        self._lock = threading.Lock()

    @property
    def original(self) -> Any:
        return self._original

    def acquire(self) -> None:
        with self._lock:
            self._holders += 1
            setattr(self._owner, self._name, self._replacement)

    def release(self) -> None:
        with self._lock:
            self._holders = max(0, self._holders - 1)
            if self._holders == 0:
                setattr(self._owner, self._name, self._original)
