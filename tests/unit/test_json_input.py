"""Reading JSON from outside: hostile input is refused with a reason, never a crash, never quoted."""

from __future__ import annotations

import pytest

from otklik.domain.json_input import MAX_DEPTH, UnreadableJson, read_json, read_json_object

SECRET = "Анна +7 912 345-67-89"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"n": ' + b"7" * 4301 + b"}", "not JSON we read"),
        (b"[" * 1000 + b"]" * 1000, "nests more than"),
        (b'{"a": ' * 40 + b"1" + b"}" * 40, "nests more than"),
        (b'{"n": NaN}', "NaN is not a JSON number"),
        (b'{"n": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"n": 1e999}', "too large"),
        (b'{"text": "\\ud800"}', "lone UTF-16 surrogate"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"text": "' + SECRET.encode() + b'", ', "not valid JSON"),
        (b"", "not valid JSON"),
    ],
    ids=[
        "huge-int",
        "deep-arrays",
        "deep-objects",
        "nan",
        "infinity",
        "overflowing-float",
        "surrogate",
        "not-utf8",
        "truncated",
        "empty",
    ],
)
def test_hostile_json_is_refused_with_a_reason_that_quotes_nothing(body: bytes, reason: str) -> None:
    with pytest.raises(UnreadableJson) as refused:
        read_json(body)

    assert reason in str(refused.value)
    assert SECRET not in str(refused.value)


def test_brackets_inside_strings_are_text_not_nesting() -> None:
    text = '{"text": "[[[[ {{{{ \\" ]]]] ' + "[" * (MAX_DEPTH * 3) + '"}'

    assert read_json(text) == {"text": '[[[[ {{{{ " ]]]] ' + "[" * (MAX_DEPTH * 3)}


def test_nesting_up_to_the_limit_is_read() -> None:
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    expected: list[object] = []
    for _ in range(MAX_DEPTH - 1):
        expected = [expected]

    assert read_json(body) == expected


def test_an_object_is_required_where_one_is_expected() -> None:
    assert read_json_object('{"id": "x"}') == {"id": "x"}
    with pytest.raises(UnreadableJson, match="must be a JSON object"):
        read_json_object("[]")
