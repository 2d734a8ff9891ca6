"""A rule's `text: {regex: …}`: the safe subset finds what Python's engine finds, refuses what backtracks."""

from __future__ import annotations

import random
import re

import pytest

from otklik.domain.rules.pattern import MAX_PATTERN_CHARS, PatternProblem, compile_pattern


def found(pattern: str, text: str) -> str | None:
    span = compile_pattern(pattern).search(text)
    return None if span is None else text[span[0] : span[1]]


@pytest.mark.parametrize(
    ("pattern", "text", "match"),
    [
        ("опозда", "Курьер ОПОЗДАЛ на день", "ОПОЗДА"),  # case is ignored
        (r"опозда\w*", "курьер опоздал на день", "опоздал"),  # as long as it goes
        (r"\d{6,}", "заказ 1234567 и 12", "1234567"),
        (r"^курьер", "курьер пришёл", "курьер"),
        (r"^курьер", "наш курьер", None),
        (r"день$", "опоздал на день", "день"),
        (r"(пришел|пришло|доставлен)\s+не", "товар доставлен  не тот", "доставлен  не"),
        (r"[а-я]+ы", "xyz абвы", "абвы"),
        (r"[^а-я ]+", "абв 123 где", "123"),
        (r"colou?r", "COLOR!", "COLOR"),
        (r"a.c", "a\nc", None),  # . is any character but a newline
        (r"\+7\d{10}", "звоните +79123456789", "+79123456789"),
        (r"(?:ab){2}", "abab", "abab"),
        (r"x{2,3}?", "xxxx", "xxx"),  # lazy or not, the same texts match
        (r"\.", "конец.", "."),
    ],
)
def test_a_pattern_finds_its_leftmost_match(pattern: str, text: str, match: str | None) -> None:
    assert found(pattern, text) == match


def test_matches_agree_with_pythons_engine_on_random_texts() -> None:
    # Given patterns of every construct and a few thousand short texts over their alphabet
    patterns = [
        r"a+b",
        r"(ab|a)c",
        r"[abc]{2,3}d",
        r"a.?b",
        r"(a|b)*c",
        r"^a(b|c)+$",
        r"b{2}",
        r"[^a]c",
        r"ab?c",
    ]
    patterns += [r"(?:ab)+", r"a\d+", r"\s+x", r"(a|bc|d)+$", r"[a-c]x?[0-9]", r"^(ab|cd)", r"\w\W\w"]
    generator = random.Random(7)
    for _ in range(4000):
        pattern = generator.choice(patterns)
        text = "".join(generator.choice("abcdx1 -") for _ in range(generator.randint(0, 12)))
        ours = compile_pattern(pattern).search(text)
        theirs = re.search(pattern, text, re.IGNORECASE)
        # Then a match is found exactly when Python finds one, starting where Python's starts
        assert (ours is None) == (theirs is None), (pattern, text)
        if ours is not None and theirs is not None:
            assert ours[0] == theirs.start(), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\w+!", "a" * 20_000),  # seconds in Python's engine: each start backtracks to the end
        (r"(a|b)*c", "ab" * 10_000),
        (r"(\w+)+$", "a" * 20_000 + "!"),  # exponential in a backtracking engine
    ],
)
def test_patterns_that_backtrack_in_pythons_engine_read_a_long_text_once(pattern: str, text: str) -> None:
    assert compile_pattern(pattern).search(text) is None


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "the pattern is empty"),
        ("x" * (MAX_PATTERN_CHARS + 1), f"the pattern is over {MAX_PATTERN_CHARS} characters"),
        (
            "(?=a)b",
            "only plain groups (…) and (?:…) are supported: no lookarounds, names or flags (at character 1)",
        ),
        ("(?P<x>a)", "only plain groups (…) and (?:…) are supported"),
        ("(?i)a", "only plain groups (…) and (?:…) are supported"),
        (r"(a)\1", "backreferences (\\1) are not supported (at character 4)"),
        (r"\bкурьер", "word boundaries (\\b) are not supported (at character 1)"),
        (r"\q", "unknown escape \\q"),
        ("a**", "a repetition of a repetition is not supported"),
        ("*a", "* repeats nothing"),
        ("(a", "a group is not closed with )"),
        ("a)", ") closes no group"),
        ("[a", "a class [ is not closed with ]"),
        ("[z-a]", "the range z-a runs backwards"),
        ("a{2,1}", "{2,1} counts down"),
        ("a{99}", "a repetition may count to 50 at most"),
        ("a{x}", "a repetition is {m}, {m,} or {m,n} with whole numbers"),
        ("a*", "the pattern matches an empty text, so it would hold for every item"),
        ("a^b", "^ is supported only as the pattern's first (^) or last ($) character"),
        ("^a|b", "with ^ or $, group the alternatives: ^(a|b)$"),
        ("(a|b)*a(a|b){20}", "the pattern is too complex to match in linear time"),
    ],
)
def test_what_the_subset_does_not_take_is_refused_with_why(pattern: str, problem: str) -> None:
    with pytest.raises(PatternProblem) as refusal:
        compile_pattern(pattern)

    assert str(refusal.value).startswith(problem)


def test_an_escaped_dollar_is_a_character_not_the_end() -> None:
    assert found(r"100\$", "стоит 100$ дорого") == "100$"
