"""DynamoDB attribute values to and from plain Python: floats become Decimals and back."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def model_to_document(model: BaseModel) -> dict[str, Any]:
    """A model as a DynamoDB-ready document (JSON types, Decimals for numbers, no nulls)."""
    document: dict[str, Any] = json.loads(model.model_dump_json(exclude_none=True), parse_float=Decimal)
    return document


def to_item(document: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in document.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def from_image(image: dict[str, Any]) -> dict[str, Any]:
    """A stream image (already deserialized by Powertools, numbers as Decimal) as plain Python."""
    plain: dict[str, Any] = _plain(image)
    return plain


def is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def put_if_absent(client: Any, table: str, document: dict[str, Any], key_attribute: str) -> bool:
    """Write document unless an item with its key exists; True if this call wrote it."""
    try:
        client.put_item(
            TableName=table,
            Item=to_item(document),
            ConditionExpression=f"attribute_not_exists({key_attribute})",
        )
    except ClientError as error:
        if is_condition_failure(error):
            return False
        raise
    return True
