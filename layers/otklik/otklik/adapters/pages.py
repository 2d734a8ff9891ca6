"""Paged DynamoDB queries: opaque cursors over LastEvaluatedKey, one page or every page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any

from otklik.adapters.dynamo import from_item
from otklik.domain.errors import InvalidRequest
from otklik.ports import Page


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, sort_keys=True).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError) as error:
        raise InvalidRequest("cursor is not one this API gave out") from error
    if not isinstance(key, dict):
        raise InvalidRequest("cursor is not one this API gave out")
    return key


def query_page(client: Any, query: dict[str, Any], limit: int, cursor: str | None) -> Page:
    """One page of a Query, resuming after cursor; items as plain Python."""
    request = {**query, "Limit": limit}
    start = decode_cursor(cursor)
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
