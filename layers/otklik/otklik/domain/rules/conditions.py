"""A rule's `when`: conditions over a feedback item, each saying whether it holds and why, in the item's
own values (`rating 1 <= 2`, `topic delivery negative: 'курьер опоздал'`).

parse_condition() reads the document's form of a condition and answers the condition, or every problem
by its path below `when`. Text is quoted only as a short, PII-masked span.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, get_args

from otklik.domain.models import (
    MODERATION_FLAGS,
    FeedbackItem,
    FeedbackKind,
    TonalityLabel,
    TopicPolarity,
)
from otklik.domain.pii import mask_pii
from otklik.domain.rules.pattern import PatternProblem, SafePattern, compile_pattern

MAX_DEPTH = 8
MAX_VALUES = 50
MAX_VALUE_CHARS = 200
QUOTE_CHARS = 60

Why = tuple[str, ...]
Problems = list[tuple[str, str]]  # (path below `when`, what is wrong)


@dataclass
class Facts:
    """What conditions read: the item, what the caller knows beside it, and the text prepared once."""

    item: FeedbackItem
    repeat_contact: bool = False
    _text: str | None = field(default=None, repr=False)
    _lowered: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.item.full_text()
        return self._text

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered


class Condition(Protocol):
    def test(self, facts: Facts) -> tuple[bool, Why]: ...


def quote(text: str) -> str:
    """A span of customer text as a why quotes it: PII masked, on one line, at most QUOTE_CHARS long."""
    flat = " ".join(mask_pii(text).split())
    if len(flat) > QUOTE_CHARS:
        flat = flat[: QUOTE_CHARS - 1].rstrip() + "…"
    return repr(flat)


def _listing(values: Sequence[object], joiner: str = "or") -> str:
    texts = [str(value) for value in values]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} {joiner} {texts[-1]}"


def _number(value: float) -> str:
    return f"{round(value, 4):g}"


# ------------------------------------------------------------------ the conditions


def _tier(item: FeedbackItem) -> str | None:
    return item.author.tier.casefold() if item.author and item.author.tier else None


# What a value condition reads, by its key in the document, and what a why calls it.
_VALUES: dict[str, tuple[str, Callable[[FeedbackItem], str | None]]] = {
    "source": ("source", lambda item: item.source),
    "account": ("account", lambda item: item.account),
    "kind": ("kind", lambda item: item.kind),
    "lang": ("language", lambda item: item.lang),
    "tonality": ("tonality", lambda item: item.tonality.label),
    "customer_tier": ("customer tier", _tier),
    "product.id": ("product id", lambda item: item.product.id if item.product else None),
    "product.sku": ("product sku", lambda item: item.product.sku if item.product else None),
}
_FOLDED = {"customer_tier"}  # compared whatever the case (VIP, vip)


@dataclass(frozen=True)
class OneOf:
    """The item's value is one of the given ones."""

    key: str
    values: tuple[str, ...]

    def test(self, facts: Facts) -> tuple[bool, Why]:
        label, read = _VALUES[self.key]
        value = read(facts.item)
        if value is not None and value in self.values:
            also = "" if len(self.values) == 1 else f", one of {', '.join(self.values)}"
            return True, (f"{label} {value}{also}",)
        shown = "none" if value is None else value
        return False, (f"{label} {shown}, not {_listing(self.values)}",)


_SYMBOLS = {"eq": "==", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_NUMBERS: dict[str, Callable[[FeedbackItem], float | None]] = {
    "rating": lambda item: item.rating,
    "compound": lambda item: item.tonality.compound,
}


@dataclass(frozen=True)
class Compare:
    """The item's number compares as each operator says (all of them, when there are several)."""

    key: str
    operators: tuple[tuple[str, float | tuple[float, ...]], ...]

    @staticmethod
    def _holds(operator: str, value: float, operand: float | tuple[float, ...]) -> tuple[bool, str]:
        if operator == "in":
            assert isinstance(operand, tuple)
            return value in operand, f"in {', '.join(_number(each) for each in operand)}"
        if operator == "between":
            assert isinstance(operand, tuple)
            low, high = operand
            return low <= value <= high, f"between {_number(low)} and {_number(high)}"
        assert not isinstance(operand, tuple)
        held = {
            "eq": value == operand,
            "lt": value < operand,
            "lte": value <= operand,
            "gt": value > operand,
            "gte": value >= operand,
        }[operator]
        return held, f"{_SYMBOLS[operator]} {_number(operand)}"

    def test(self, facts: Facts) -> tuple[bool, Why]:
        value = _NUMBERS[self.key](facts.item)
        whys: list[str] = []
        for operator, operand in self.operators:
            if value is None:
                _, wanted = self._holds(operator, 0, operand)
                return False, (f"no {self.key}, so not {wanted}",)
            held, wanted = self._holds(operator, value, operand)
            if not held:
                return False, (f"{self.key} {_number(value)}, not {wanted}",)
            whys.append(f"{self.key} {_number(value)} {wanted}")
        return True, tuple(whys)


@dataclass(frozen=True)
class Conflict:
    """The stars and the text disagree (tonality's rating_text_conflict), or they do not."""

    expected: bool

    def test(self, facts: Facts) -> tuple[bool, Why]:
        tonality = facts.item.tonality
        if tonality.rating_text_conflict:
            text = "none" if tonality.text_compound is None else _number(tonality.text_compound)
            why = f"the stars ({facts.item.rating}) and the text (compound {text}) disagree"
        else:
            why = "the stars and the text do not disagree"
        return tonality.rating_text_conflict == self.expected, (why,)


@dataclass(frozen=True)
class RepeatContact:
    """The customer or order wrote again within the window (the caller says; see Facts)."""

    expected: bool

    def test(self, facts: Facts) -> tuple[bool, Why]:
        why = "a repeat contact" if facts.repeat_contact else "not a repeat contact"
        return facts.repeat_contact == self.expected, (why,)


@dataclass(frozen=True)
class TopicIs:
    """The item has one of the topics, with one of the polarities when they are given."""

    wanted: tuple[tuple[str, tuple[str, ...]], ...]  # (topic, polarities; empty: any polarity)

    def _describe(self) -> str:
        return _listing([f"{topic} {'/'.join(polarities)}".strip() for topic, polarities in self.wanted])

    def test(self, facts: Facts) -> tuple[bool, Why]:
        topics = facts.item.topics
        for found in topics:
            for topic, polarities in self.wanted:
                if found.topic == topic and (not polarities or found.polarity in polarities):
                    return True, (f"topic {found.topic} {found.polarity}: {quote(found.evidence)}",)
        has = ", ".join(f"{found.topic} {found.polarity}" for found in topics) or "none"
        return False, (f"no topic {self._describe()} (topics: {has})",)


@dataclass(frozen=True)
class FlagIs:
    """Moderation raised one of the flags."""

    flags: tuple[str, ...]

    def test(self, facts: Facts) -> tuple[bool, Why]:
        moderation = facts.item.moderation
        for flag in moderation.flags:
            if flag in self.flags:
                spans = [reason.text for reason in moderation.reasons if reason.flag == flag]
                return True, (f"flag {flag}: {quote(spans[0])}" if spans else f"flag {flag}",)
        return False, (f"no flag {_listing(self.flags)}",)


@dataclass(frozen=True)
class ProductNameContains:
    words: tuple[str, ...]

    def test(self, facts: Facts) -> tuple[bool, Why]:
        name = facts.item.product.name if facts.item.product else None
        if not name:
            return False, (f"no product name, so none of {_listing(self.words)}",)
        lowered = name.lower()
        for word in self.words:
            if word.lower() in lowered:
                return True, (f"product name {quote(name)} contains {word!r}",)
        return False, (f"product name {quote(name)} contains none of {_listing(self.words)}",)


@dataclass(frozen=True)
class TextContains:
    """The text (with pros and cons) contains one of the words or phrases, whatever the case."""

    words: tuple[str, ...]

    def test(self, facts: Facts) -> tuple[bool, Why]:
        for word in self.words:
            if word.lower() in facts.lowered:
                return True, (f"text contains {word!r}",)
        return False, (f"text contains none of {', '.join(repr(word) for word in self.words)}",)


@dataclass(frozen=True)
class TextMatches:
    """The text (with pros and cons) matches the pattern somewhere (see otklik.domain.rules.pattern)."""

    pattern: SafePattern

    def test(self, facts: Facts) -> tuple[bool, Why]:
        found = self.pattern.search(facts.text)
        if found is None:
            return False, (f"text does not match /{self.pattern.source}/",)
        start, end = found
        return True, (f"text matches /{self.pattern.source}/: {quote(facts.text[start:end])}",)


@dataclass(frozen=True)
class All:
    """Every condition holds (a mapping of several conditions means this too). None: always holds."""

    conditions: tuple[Condition, ...]

    def test(self, facts: Facts) -> tuple[bool, Why]:
        whys: list[str] = []
        for condition in self.conditions:
            held, why = condition.test(facts)
            if not held:
                return False, why
            whys.extend(why)
        return True, tuple(whys) if whys or self.conditions else ("always",)


@dataclass(frozen=True)
class AnyOf:
    """At least one condition holds; the why is the first that does."""

    conditions: tuple[Condition, ...]

    def test(self, facts: Facts) -> tuple[bool, Why]:
        whys: list[str] = []
        for condition in self.conditions:
            held, why = condition.test(facts)
            if held:
                return True, why
            whys.extend(why)
        return False, tuple(whys)


@dataclass(frozen=True)
class Not:
    """The condition does not hold; the why is its own (which then reads as a 'not')."""

    condition: Condition

    def test(self, facts: Facts) -> tuple[bool, Why]:
        held, why = self.condition.test(facts)
        return not held, why


# ------------------------------------------------------------------ the document's form


CONDITION_KEYS = (
    "source",
    "account",
    "kind",
    "rating",
    "tonality",
    "compound",
    "rating_text_conflict",
    "topic",
    "flag",
    "product",
    "customer_tier",
    "text",
    "lang",
    "repeat_contact",
    "all",
    "any",
    "not",
)
RATING_OPERATORS = ("eq", "in", "lt", "lte", "gt", "gte", "between")
COMPOUND_OPERATORS = ("lt", "lte", "gt", "gte", "between")
_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("kind", get_args(FeedbackKind)),
    "tonality": ("tonality", get_args(TonalityLabel)),
    "flag": ("flag", MODERATION_FLAGS),
}
POLARITIES: tuple[str, ...] = get_args(TopicPolarity)


@lru_cache(maxsize=256)
def _compiled(source: str) -> SafePattern:
    return compile_pattern(source)


class _Reader:
    """Reads one `when` and collects every problem, each with its path below `when`."""

    def __init__(self) -> None:
        self.problems: Problems = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def strings(
        self, raw: Any, path: str, choices: tuple[str, tuple[str, ...]] | None = None
    ) -> tuple[str, ...]:
        values = raw if isinstance(raw, list) else [raw]
        if isinstance(raw, list) and not raw:
            self.fail(path, "give at least one value")
        if len(values) > MAX_VALUES:
            self.fail(path, f"at most {MAX_VALUES} values")
            return ()
        found: list[str] = []
        for index, value in enumerate(values):
            where = f"{path}[{index}]" if isinstance(raw, list) else path
            if not isinstance(value, str) or not value.strip():
                self.fail(
                    where, "must be a non-empty string" + (" or a list of them" if where == path else "")
                )
            elif len(value) > MAX_VALUE_CHARS:
                self.fail(where, f"is over {MAX_VALUE_CHARS} characters")
            elif choices is not None and value not in choices[1]:
                what, allowed = choices
                self.fail(where, f"unknown {what} {value!r}; {what}s are {', '.join(allowed)}")
            else:
                found.append(value)
        return tuple(dict.fromkeys(found))

    def flag(self, raw: Any, path: str, key: str) -> bool | None:
        if not isinstance(raw, bool):
            self.fail(path, f"must be true or false ({key}: true holds when it is so)")
            return None
        return raw

    def number(self, raw: Any, path: str, low: float, high: float, *, whole: bool) -> float | None:
        kind = int if whole else (int, float)
        if isinstance(raw, bool) or not isinstance(raw, kind):
            self.fail(path, "must be a whole number" if whole else "must be a number")
            return None
        if not low <= raw <= high:
            self.fail(path, f"must be from {_number(low)} to {_number(high)}")
            return None
        return float(raw) if not whole else raw

    def compare(self, raw: Any, path: str, key: str) -> Condition | None:
        rating = key == "rating"
        low, high = (0, 5) if rating else (-1.0, 1.0)
        operators = RATING_OPERATORS if rating else COMPOUND_OPERATORS
        if rating and not isinstance(raw, dict):
            raw = {"in": raw} if isinstance(raw, list) else {"eq": raw}
        if not isinstance(raw, dict) or not raw:
            self.fail(
                path,
                f"must be a mapping of comparisons, e.g. {{lte: -0.6}}; operators are {', '.join(operators)}",
            )
            return None
        found: list[tuple[str, float | tuple[float, ...]]] = []
        for operator, operand in raw.items():
            where = f"{path}.{operator}"
            if operator not in operators:
                self.fail(where, f"unknown operator {operator!r}; operators are {', '.join(operators)}")
            elif operator in ("in", "between"):
                values = operand if isinstance(operand, list) else None
                if values is None or not values or (operator == "between" and len(values) != 2):
                    self.fail(
                        where,
                        "must be a list of two numbers [low, high]"
                        if operator == "between"
                        else "must be a non-empty list",
                    )
                    continue
                numbers = [
                    self.number(value, f"{where}[{index}]", low, high, whole=rating)
                    for index, value in enumerate(values)
                ]
                if any(number is None for number in numbers):
                    continue
                checked = tuple(number for number in numbers if number is not None)
                if operator == "between" and checked[0] > checked[1]:
                    self.fail(where, "runs backwards: give [low, high]")
                    continue
                found.append((operator, checked))
            else:
                number = self.number(operand, where, low, high, whole=rating)
                if number is not None:
                    found.append((operator, number))
        return Compare(key, tuple(found)) if len(found) == len(raw) else None

    def topics(self, raw: Any, path: str) -> Condition | None:
        entries = raw if isinstance(raw, list) else [raw]
        if isinstance(raw, list) and not raw:
            self.fail(path, "give at least one topic")
        wanted: list[tuple[str, tuple[str, ...]]] = []
        for index, entry in enumerate(entries[:MAX_VALUES]):
            where = f"{path}[{index}]" if isinstance(raw, list) else path
            if isinstance(entry, str) and entry:
                wanted.append((entry, ()))
                continue
            if not isinstance(entry, dict):
                self.fail(
                    where, "must be a topic name, or {topic: NAME, polarity: negative|neutral|positive}"
                )
                continue
            for extra in set(entry) - {"topic", "polarity"}:
                self.fail(f"{where}.{extra}", "unknown setting; a topic condition has topic and polarity")
            name = entry.get("topic")
            if not isinstance(name, str) or not name:
                self.fail(f"{where}.topic", "required: the topic's name")
                continue
            polarities = (
                self.strings(entry["polarity"], f"{where}.polarity", ("polarity", POLARITIES))
                if "polarity" in entry
                else ()
            )
            wanted.append((name, polarities))
        if len(entries) > MAX_VALUES:
            self.fail(path, f"at most {MAX_VALUES} topics")
        return TopicIs(tuple(wanted)) if wanted else None

    def mapping(self, raw: Any, path: str, allowed: tuple[str, ...], what: str) -> dict[str, Any] | None:
        if not isinstance(raw, dict) or not raw:
            self.fail(path, f"must be a mapping with {_listing(allowed)}")
            return None
        for extra in [key for key in raw if key not in allowed]:
            self.fail(f"{path}.{extra}", f"unknown setting; {what} has {_listing(allowed, 'and')}")
        return {key: value for key, value in raw.items() if key in allowed}

    def product(self, raw: Any, path: str) -> Condition | None:
        given = self.mapping(raw, path, ("id", "sku", "name_contains"), "a product condition")
        if given is None:
            return None
        parts: list[Condition] = []
        for key in ("id", "sku"):
            if key in given:
                parts.append(OneOf(f"product.{key}", self.strings(given[key], f"{path}.{key}")))
        if "name_contains" in given:
            parts.append(ProductNameContains(self.strings(given["name_contains"], f"{path}.name_contains")))
        return All(tuple(parts))

    def text(self, raw: Any, path: str) -> Condition | None:
        given = self.mapping(raw, path, ("contains", "regex"), "a text condition")
        if given is None:
            return None
        parts: list[Condition] = []
        if "contains" in given:
            parts.append(TextContains(self.strings(given["contains"], f"{path}.contains")))
        if "regex" in given:
            source = given["regex"]
            if not isinstance(source, str):
                self.fail(f"{path}.regex", "must be a string (quote it in YAML: 'опозда\\w+')")
            else:
                try:
                    parts.append(TextMatches(_compiled(source)))
                except PatternProblem as problem:
                    self.fail(f"{path}.regex", f"not a supported pattern: {problem}")
        return All(tuple(parts))

    def condition(self, raw: Any, path: str, depth: int) -> Condition | None:
        if depth > MAX_DEPTH:
            self.fail(path, f"conditions nest more than {MAX_DEPTH} deep")
            return None
        if not isinstance(raw, dict):
            self.fail(path or "(when)", "must be a mapping of conditions, e.g. {kind: complaint}")
            return None
        parts: list[Condition | None] = []
        for key, value in raw.items():
            where = f"{path}.{key}"
            parts.append(self.one(key, value, where, depth))
        if any(part is None for part in parts):
            return None
        checked = tuple(part for part in parts if part is not None)
        return checked[0] if len(checked) == 1 else All(checked)

    def one(self, key: Any, value: Any, where: str, depth: int) -> Condition | None:
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                self.fail(where, f"must be a non-empty list of conditions ({key}: [{{...}}, {{...}}])")
                return None
            if len(value) > MAX_VALUES:
                self.fail(where, f"at most {MAX_VALUES} conditions")
                return None
            parts = [self.condition(each, f"{where}[{index}]", depth + 1) for index, each in enumerate(value)]
            if any(part is None for part in parts):
                return None
            checked = tuple(part for part in parts if part is not None)
            return All(checked) if key == "all" else AnyOf(checked)
        if key == "not":
            inner = self.condition(value, where, depth + 1)
            return Not(inner) if inner is not None else None
        if key in ("rating", "compound"):
            return self.compare(value, where, key)
        if key in ("rating_text_conflict", "repeat_contact"):
            expected = self.flag(value, where, key)
            if expected is None:
                return None
            return Conflict(expected) if key == "rating_text_conflict" else RepeatContact(expected)
        if key == "topic":
            return self.topics(value, where)
        if key == "flag":
            flags = self.strings(value, where, _CHOICES["flag"])
            return FlagIs(flags) if flags else None
        if key == "product":
            return self.product(value, where)
        if key == "text":
            return self.text(value, where)
        if key in _VALUES:
            before = len(self.problems)
            values = self.strings(value, where, _CHOICES.get(key))
            if key in _FOLDED:
                values = tuple(dict.fromkeys(each.casefold() for each in values))
            return OneOf(key, values) if values and len(self.problems) == before else None
        self.fail(where, f"unknown condition; conditions are {', '.join(CONDITION_KEYS)}")
        return None


def parse_condition(raw: Any) -> tuple[Condition | None, Problems]:
    """The condition of a rule's `when` (an empty mapping: always), or every problem by its path below it."""
    reader = _Reader()
    condition = reader.condition(raw, "", 0)
    if reader.problems:
        return None, reader.problems
    return condition if condition is not None else All(()), []
