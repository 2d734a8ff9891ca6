"""A token bucket that keeps calls to one marketplace account under its documented request rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    def acquire(self) -> float: ...


class TokenBucket:
    """`burst` calls at once, then `rate_per_second` on average; acquire() sleeps until a token is free.

    Wildberries documents its feedbacks API as a token bucket of 3 requests a second with a burst
    of 6 per seller account; staying under it avoids 429s instead of paying for them.
    The clock (monotonic seconds) and the sleep come from outside so tests run without waiting.
    """

    def __init__(
        self,
        rate_per_second: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError(f"rate_per_second must be positive, not {rate_per_second}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst}")
        self._rate = rate_per_second
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(now - self._last, 0.0)
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        self._last = now

    def acquire(self) -> float:
        """Take one token, sleeping first if none is free; the seconds slept."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            wait = (1.0 - self._tokens) / self._rate
            self._sleep(wait)
            self._refill()
            # The sleep paid for this token; a clock that reads a hair early must not put us in debt.
            self._tokens = max(self._tokens - 1.0, 0.0)
            return wait
