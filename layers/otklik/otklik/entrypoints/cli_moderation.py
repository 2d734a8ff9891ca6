"""`otklik moderate`: JSON lines in, each written back with its moderation flags and reasons.

Each line is an object with a string `text`, and optionally the item's `author` and `product` and
`seen_before` ({"author", "product"} of who posted a text with the same fingerprint first). Out comes
the same object with `moderation`: {"flags": [...], "reasons": [{"flag", "text", "start", "end",
"why"}, ...]}, where text[start:end] is the span that raised the flag. `--config FILE` applies the
moderation settings of a configuration document.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from otklik.domain.models import SeenText
from otklik.entrypoints.cli_input import TextLines, config_from

if TYPE_CHECKING:
    from otklik.domain.moderation.settings import ModerationSettings


def add_parser(commands: Any) -> None:
    """Register `moderate` on the command line's subcommands."""
    moderator = commands.add_parser(
        "moderate", help="JSON lines in (text, author?, product?), moderation flags and reasons out"
    )
    moderator.add_argument(
        "--config", metavar="FILE", help="a configuration document whose moderation settings apply"
    )


def _settings(path: str | None, err: TextIO) -> ModerationSettings | None:
    """The moderation settings of the document at path (the defaults without one); None if it is invalid."""
    from otklik.domain.moderation.settings import NO_SETTINGS

    if not path:
        return NO_SETTINGS
    config = config_from(path, err)
    return config.moderation if config is not None else None


def _optional_text(document: dict[str, Any], key: str) -> str | None:
    value = document.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string when given")
    return value


def _seen_before(document: dict[str, Any]) -> SeenText | None:
    seen = document.get("seen_before")
    if seen is not None and not isinstance(seen, dict):
        raise ValueError("'seen_before' must be an object with 'author' and/or 'product'")
    return SeenText.model_validate(seen) if seen is not None else None


def _check(document: dict[str, Any]) -> None:
    _seen_before(document)
    _optional_text(document, "author")
    _optional_text(document, "product")


def run(args: argparse.Namespace, source: TextIO, out: TextIO, err: TextIO) -> int:
    """Moderate each line of source onto out; 1 when a line was refused (named on err), 2 for a bad config."""
    from otklik.domain.moderation import moderate

    settings = _settings(args.config, err)
    if settings is None:
        return 2
    lines = TextLines(source, err, check=_check)
    for document in lines:
        result = moderate(
            document["text"],
            author=document.get("author"),
            product=document.get("product"),
            seen_before=_seen_before(document),
            settings=settings,
        )
        document["moderation"] = {
            "flags": list(result.flags),
            "reasons": [reason.model_dump() for reason in result.reasons],
        }
        out.write(json.dumps(document, ensure_ascii=False) + "\n")
    return lines.exit_code()
