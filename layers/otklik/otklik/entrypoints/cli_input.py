"""What the JSON-lines commands share: reading each line as an object with a string `text`, and reading
the configuration document a `--config FILE` names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from otklik.domain.json_input import UnreadableJson, read_json_object

if TYPE_CHECKING:
    from otklik.domain.config import Config


class TextLines:
    """The lines of source that are JSON objects with a string `text` (and that check does not refuse with
    a ValueError), in order; every other non-blank line is named on err as `line N: why` and counted in
    `failures`."""

    def __init__(self, source: TextIO, err: TextIO, check: Callable[[dict[str, Any]], object] | None = None):
        self._source, self._err, self._check = source, err, check
        self.failures = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for number, line in enumerate(self._source, start=1):
            if not line.strip():
                continue
            try:
                document = read_json_object(line)
                if not isinstance(document.get("text"), str):
                    raise ValueError("each line must be a JSON object with a string 'text'")
                if self._check is not None:
                    self._check(document)
            except (UnreadableJson, ValueError) as error:
                message = str(error).replace("the body", "the line")
                self._err.write(f"line {number}: {message.splitlines()[0]}\n")
                self.failures += 1
                continue
            yield document

    def exit_code(self) -> int:
        """1 when a line was refused, else 0."""
        return 1 if self.failures else 0


def config_from(path: str, err: TextIO) -> Config | None:
    """The configuration document at path, or None when it cannot be read or is invalid (said on err)."""
    from otklik.domain.config import ConfigInvalid, parse_config

    try:
        return parse_config(Path(path).read_bytes())
    except OSError as error:
        err.write(f"otklik: {path}: cannot be read: {error.strerror}\n")
    except ConfigInvalid as invalid:
        for problem in invalid.problems:
            err.write(f"{path}: {problem}\n")
    return None
