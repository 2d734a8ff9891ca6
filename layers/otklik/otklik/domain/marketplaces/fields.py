"""Reading platform JSON field by field: a missing or wrong field is a MalformedItem that names it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from otklik.domain.marketplaces.models import MalformedItem

T = TypeVar("T")


def as_object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise MalformedItem(f"{what} is not an object")
    return value


def required_id(item: Mapping[str, Any], key: str) -> str:
    """An identifier the platform sends as a string or an integer, as a non-empty string."""
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedItem(f"no {key}")
    text = str(value).strip()
    if not text:
        raise MalformedItem(f"empty {key}")
    return text


def optional_id(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedItem(f"{key} is neither a string nor a number")
    return str(value).strip() or None


def optional_text(item: Mapping[str, Any], key: str) -> str | None:
    """A free-text field; empty or whitespace-only is None. Kept unaltered otherwise."""
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedItem(f"{key} is not text")
    return value if value.strip() else None


def required_text(item: Mapping[str, Any], key: str) -> str:
    value = optional_text(item, key)
    if value is None:
        raise MalformedItem(f"no {key}")
    return value


def parse_time(value: Any, key: str) -> datetime:
    """An ISO 8601 timestamp; one without an offset is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise MalformedItem(f"no {key}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise MalformedItem(f"{key} {value!r} is not an ISO 8601 time") from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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


def build(make: Callable[[], T]) -> T:
    """Construct a model; a value it refuses (too long, wrong pattern) makes the item malformed."""
    try:
        return make()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MalformedItem(f"{where}: {first['msg']}") from error
