"""A progress bar for the command line's long work, drawn on stderr only when stderr is a terminal.

    with Progress(total, "moved", sys.stderr) as progress:
        for ... :
            progress.advance()

Piped or redirected output gets nothing from it (a log or a script reads only the command's own
lines); a terminal gets one line redrawn in place, `moved [##########··········] 12/24`, at most ten
times a second so that counting does not cost the work its speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

WIDTH = 30
REDRAW_SECONDS = 0.1
WAIT_REDRAW_SECONDS = 1.0  # how often Waiting redraws its seconds


class Progress:
    """How far a piece of work has gone: `total` steps (None when unknown), `done` of them made."""

    def __init__(
        self,
        total: int | None,
        label: str,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self._stream = stream
        self._clock = clock
        self._shown = _is_terminal(stream)
        self._drawn_at: float | None = None

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if not self._shown:
            return
        now = self._clock()
        finished = self.total is not None and self.done >= self.total
        if finished or self._drawn_at is None or now - self._drawn_at >= REDRAW_SECONDS:
            self._draw()
            self._drawn_at = now

    def line(self) -> str:
        """The bar as drawn: the label, the bar (when the total is known) and the count."""
        if not self.total:
            return f"{self.label} {self.done}"
        filled = min(WIDTH, WIDTH * self.done // self.total)
        return f"{self.label} [{'#' * filled}{'·' * (WIDTH - filled)}] {self.done}/{self.total}"

    def _draw(self) -> None:
        self._stream.write("\r" + self.line())
        self._stream.flush()

    def finish(self) -> None:
        """Draw the last count and end the line, so what is written next starts on a line of its own."""
        if self._shown and (self.done or self._drawn_at is not None):
            self._draw()
            self._stream.write("\n")
            self._stream.flush()
        self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.finish()


class Waiting:
    """Work of unknown length done elsewhere (one Lambda invocation): on a terminal, the seconds waited
    so far, `backfill: waiting for PollMarketplacesFunction 12 s`, redrawn every second by a thread of
    its own; nothing when stderr is piped or redirected.

        with Waiting("backfill: waiting for PollMarketplacesFunction", sys.stderr):
            result = invoke(...)
    """

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self._stream = stream
        self._every = WAIT_REDRAW_SECONDS
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    def __enter__(self) -> Waiting:
        if _is_terminal(self._stream):
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._draw_until_stopped, daemon=True)
            self._thread.start()
        return self

    def _draw_until_stopped(self) -> None:
        while not self._stop.wait(self._every):
            self._stream.write(f"\r{self.label} {time.monotonic() - self._started:.0f} s")
            self._stream.flush()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        ended = "done in" if error is None else "stopped after"
        self._stream.write(f"\r{self.label}: {ended} {time.monotonic() - self._started:.0f} s\n")
        self._stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed stream, or an object without isatty
        return False
