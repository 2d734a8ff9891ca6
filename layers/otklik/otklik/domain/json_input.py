"""JSON from outside (webhooks, pushes, ops requests), read so that no input can crash the reader.

Python's json module alone lets hostile input through to errors nobody handles: an integer of more
than 4,300 digits raises ValueError, a few thousand nested brackets raise RecursionError (here or in
whatever walks the data next), NaN and Infinity are accepted, and "\\ud800" becomes a string that
cannot be encoded again when it is queued. read_json refuses all of these with UnreadableJson, whose
message says what is wrong and never quotes the input. Every step is linear in the body's length.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Deep enough for every document a platform or a sender sends us (Ozon pushes nest 3 deep, our own
# webhook 3); far below what would strain a recursive reader.
MAX_DEPTH = 32
# A JSON string (escapes included) or one bracket: strings are skipped whole, so a bracket inside a
# string is not counted. An unterminated string runs to the end of the text (and json.loads refuses
# it): without that, every later quote would start a new scan to the end, quadratic in the length.
_TOKENS = re.compile(r'"(?>[^"\\]+|\\.)*+(?:"|\Z)|[\[\]{}]')


# A \u escape of a UTF-16 surrogate (in a pair it is one character, alone none), and a surrogate itself.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableJson(ValueError):
    """The body is not JSON we read; the message says why, without quoting the body."""


def _depth(text: str) -> int:
    depth = deepest = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest  # enough to refuse; no need to read the rest
        elif mark in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise UnreadableJson(f"{name} is not a JSON number")


def _finite(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise UnreadableJson("a number is too large to be one")
    return number


def read_json(body: bytes | str) -> Any:
    """The JSON document in body; UnreadableJson for anything that is not plain, sane JSON."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableJson(f"the body is not UTF-8 (byte {error.start})") from None
    else:
        text = body
    if _depth(text) > MAX_DEPTH:
        raise UnreadableJson(f"the body nests more than {MAX_DEPTH} levels deep")
    try:
        document = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except UnreadableJson:
        raise
    except json.JSONDecodeError as error:
        raise UnreadableJson(f"the body is not valid JSON: {error.msg} at line {error.lineno}") from None
    except (ValueError, RecursionError) as error:
        # Integers past Python's 4,300-digit limit raise a plain ValueError.
        raise UnreadableJson(f"the body is not JSON we read: {type(error).__name__}") from None
    # A lone surrogate ("\ud800") parses but can never be encoded again, e.g. onto a queue. It comes from
    # a \u escape of one, or (in a text, not bytes) a surrogate character: only then is the document
    # encoded to find out, not on every body.
    if _ESCAPED_SURROGATE.search(text) or (not isinstance(body, bytes) and _SURROGATE.search(text)):
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise UnreadableJson(
                "the body holds a lone UTF-16 surrogate (\\ud800-\\udfff), not text"
            ) from None
    return document


def read_json_object(body: bytes | str) -> dict[str, Any]:
    """read_json, refusing anything but an object at the top."""
    document = read_json(body)
    if not isinstance(document, dict):
        raise UnreadableJson("the body must be a JSON object")
    return document
