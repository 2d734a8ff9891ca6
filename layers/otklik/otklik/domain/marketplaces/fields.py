"""Reading platform JSON field by field: a missing or wrong field is a MalformedItem that names it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from otklik.domain.marketplaces.models import MalformedItem
from otklik.domain.models import FeedbackEnvelope, created_at_problem


def as_object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise MalformedItem(f"{what} is not an object")
    return value


def _encodable(value: str, key: str) -> str:
    """value, unless it holds a lone UTF-16 surrogate ("\\ud800"), which no queue message can carry."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedItem(f"{key} holds a lone UTF-16 surrogate, not text") from None
    return value


def required_id(item: Mapping[str, Any], key: str) -> str:
    """An identifier the platform sends as a string or an integer, as a non-empty string."""
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedItem(f"no {key}")
    text = _encodable(str(value), key).strip()
    if not text:
        raise MalformedItem(f"empty {key}")
    return text


def optional_id(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedItem(f"{key} is neither a string nor a number")
    return _encodable(str(value), key).strip() or None


def optional_text(item: Mapping[str, Any], key: str) -> str | None:
    """A free-text field; empty or whitespace-only is None. Kept unaltered otherwise."""
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedItem(f"{key} is not text")
    return _encodable(value, key) if value.strip() else None


def required_text(item: Mapping[str, Any], key: str) -> str:
    value = optional_text(item, key)
    if value is None:
        raise MalformedItem(f"no {key}")
    return value


# The longest ISO 8601 time worth reading (2026-11-22T09:41:00.123456+03:00 is 32 characters).
_MAX_TIME_CHARS = 64


def parse_time(value: Any, key: str, now: datetime) -> datetime:
    """An ISO 8601 timestamp, read at `now`; one without an offset is taken as UTC.

    A time the pipeline cannot place (before 2000, more than a day ahead of now, out of range in
    some zone) is malformed: the item is skipped and reported instead of failing later.
    """
    if not isinstance(value, str) or not value.strip():
        raise MalformedItem(f"no {key}")
    text = value.strip()
    if len(text) > _MAX_TIME_CHARS:
        raise MalformedItem(f"{key} is not an ISO 8601 time ({len(text)} characters)")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise MalformedItem(f"{key} {text!r} is not an ISO 8601 time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    problem = created_at_problem(moment, now)
    if problem is not None:
        raise MalformedItem(f"{key} {text!r} {problem}")
    return moment


def optional_rating(item: Mapping[str, Any], key: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise MalformedItem(f"{key} {value!r} is not a rating from 1 to 5")
    return value


def item_label(item: Any, id_key: str, position: int) -> str:
    """How a skipped item is named in the poll report: its id when it has one, else its position."""
    if isinstance(item, dict):
        value = item.get(id_key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value)
    return f"position {position}"


def build(make: Callable[[], FeedbackEnvelope]) -> FeedbackEnvelope:
    """Construct an envelope; a value the model refuses (too long, wrong pattern) or one the queue
    could not carry (FeedbackFields.queue_problem) makes the item malformed."""
    try:
        envelope = make()
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MalformedItem(f"{where}: {first['msg']}") from error
    problem = envelope.queue_problem()
    if problem is not None:
        raise MalformedItem(problem[1])
    return envelope
