"""Paged DynamoDB queries: opaque cursors over LastEvaluatedKey, one page or every page.

A cursor comes back from outside, so it is read as hostile: it must decode to exactly the key of the
table or index it pages (each attribute a short, non-empty string, the partition the query reads), or it
is refused before DynamoDB sees it. DynamoDB would answer anything else with a ValidationException.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from otklik.adapters.dynamo import from_item
from otklik.domain.errors import InvalidRequest
from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.ports import Page

# DynamoDB takes sort keys of up to 1,024 bytes (partition keys 2,048); ours are a few dozen.
MAX_KEY_BYTES = 1024
# Four key attributes of MAX_KEY_BYTES each, as JSON, in base64: anything longer is not one of ours.
MAX_CURSOR_CHARS = 8 * MAX_KEY_BYTES
NOT_OURS = "cursor is not one this API gave out"


@dataclass(frozen=True)
class PageKey:
    """What a cursor over one table or index holds: its key attributes, and the partition being read."""

    attributes: frozenset[str]
    partition: tuple[str, str]


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, sort_keys=True).encode()).decode()


def _key_string(value: Any) -> str | None:
    """The string in a DynamoDB {"S": ...} value a key may hold, or None."""
    if not isinstance(value, dict) or set(value) != {"S"} or not isinstance(value["S"], str):
        return None
    text = value["S"]
    return text if 0 < len(text.encode("utf-8")) <= MAX_KEY_BYTES else None


def decode_cursor(cursor: str | None, key: PageKey) -> dict[str, Any] | None:
    """The ExclusiveStartKey a cursor stands for; InvalidRequest unless it is exactly key's shape."""
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise InvalidRequest(NOT_OURS)
    try:
        start = read_json_object(base64.b64decode(cursor, altchars=b"-_", validate=True))
    except (binascii.Error, UnreadableJson) as error:
        raise InvalidRequest(NOT_OURS) from error
    if set(start) != key.attributes or any(_key_string(value) is None for value in start.values()):
        raise InvalidRequest(NOT_OURS)
    attribute, value = key.partition
    if start[attribute]["S"] != value:
        # DynamoDB refuses a start key outside the partition the query reads.
        raise InvalidRequest(f"{NOT_OURS} for this {attribute}")
    return start


def query_page(client: Any, query: Mapping[str, Any], key: PageKey, limit: int, cursor: str | None) -> Page:
    """One page of a Query, resuming after cursor (a cursor of key's shape); items as plain Python."""
    request = {**query, "Limit": limit}
    start = decode_cursor(cursor, key)
    if start:
        request["ExclusiveStartKey"] = start
    answer = client.query(**request)
    return Page(
        items=[from_item(item) for item in answer.get("Items", [])],
        next_cursor=encode_cursor(answer.get("LastEvaluatedKey")),
    )


def query_all(client: Any, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, following LastEvaluatedKey; items as plain Python."""
    request = dict(query)
    while True:
        answer = client.query(**request)
        yield from (from_item(item) for item in answer.get("Items", []))
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
