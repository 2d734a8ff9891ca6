"""A progress bar for the command line's long work, drawn on stderr only when stderr is a terminal.

    with Progress(total, "moved", sys.stderr) as progress:
        for ... :
            progress.advance()

Piped or redirected output gets nothing from it (a log or a script reads only the command's own
lines); a terminal gets one line redrawn in place, `moved [##########··········] 12/24`, at most ten
times a second so that counting does not cost the work its speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

WIDTH = 30
REDRAW_SECONDS = 0.1


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


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed stream, or an object without isatty
        return False
