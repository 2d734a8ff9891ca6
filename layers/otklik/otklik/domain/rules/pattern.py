"""A rule's `text: {regex: ...}`: a safe subset of regular expressions, matched in time linear in the text.

Python's own engine backtracks: `\\w+!` over 20,000 letters takes seconds, and a seller's pattern runs on
every item. So a pattern is parsed here into an automaton that reads each character of the text once
(built lazily, a state at a time, as RE2 does), and refused at load when it is not of the subset:

- literals, `.` (any character but a newline), classes `[a-z]`, `[^…]`, escapes `\\d \\w \\s \\D \\W \\S`
  and escaped punctuation (`\\.`), groups `(…)` and `(?:…)`, alternatives `|`;
- repetition `* + ? {m} {m,} {m,n}` (n at most MAX_REPEAT; a trailing `?` is accepted and changes nothing,
  since only whether and where the text matches is asked);
- `^` as the pattern's first character and `$` as its last: the start and the end of the text.

No backreferences, lookarounds, inline flags or word boundaries: those need backtracking. Matching ignores
case. A pattern is at most MAX_PATTERN_CHARS long, and one whose automaton grows past MAX_STATES states on
a sample alphabet (as `(a|b)*a(a|b){20}` does) is refused as too complex.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

MAX_PATTERN_CHARS = 200
MAX_REPEAT = 50
MAX_NFA_STATES = 2_000
MAX_STATES = 1_000
# A DFA's transitions are remembered up to this many states, then forgotten and built again (RE2's way):
# memory stays bounded, and time per character stays bounded by the NFA's size.
CACHE_STATES = 4 * MAX_STATES


class PatternProblem(ValueError):
    """The pattern is not of the supported subset; the message says what and where."""


# ------------------------------------------------------------------ character sets


@dataclass(frozen=True)
class CharSet:
    """Which characters one position of the pattern takes, ignoring case."""

    chars: frozenset[str] = frozenset()
    ranges: tuple[tuple[str, str], ...] = ()
    classes: tuple[str, ...] = ()  # "d", "w", "s" and their negations "D", "W", "S"
    negated: bool = False
    any_but_newline: bool = False

    def _plain(self, char: str) -> bool:
        if char in self.chars or any(low <= char <= high for low, high in self.ranges):
            return True
        return any(_CLASSES[name](char) for name in self.classes)

    def takes(self, char: str) -> bool:
        if self.any_but_newline:
            return char != "\n"
        found = self._plain(char) or self._plain(char.lower()) or self._plain(char.upper())
        return found != self.negated

    def samples(self) -> set[str]:
        """Characters that exercise this set, for the load-time check of the automaton's size."""
        found = set(self.chars) | {end for pair in self.ranges for end in pair}
        found |= {_CLASS_SAMPLES[name] for name in self.classes}
        return found


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


_CLASSES: dict[str, Callable[[str], bool]] = {
    "d": str.isdecimal,
    "w": _word,
    "s": str.isspace,
    "D": lambda char: not char.isdecimal(),
    "W": lambda char: not _word(char),
    "S": lambda char: not char.isspace(),
}
_CLASS_SAMPLES = {"d": "7", "w": "ж", "s": " ", "D": "-", "W": "!", "S": "q"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
_UNSUPPORTED_ESCAPES = {
    "b": "word boundaries (\\b) are not supported",
    "B": "\\B is not supported",
    "A": "\\A is not supported: start the pattern with ^",
    "Z": "\\Z is not supported: end the pattern with $",
    "z": "\\z is not supported: end the pattern with $",
    "G": "\\G is not supported",
    "p": "Unicode properties (\\p) are not supported",
    "P": "Unicode properties (\\P) are not supported",
    "x": "\\x escapes are not supported: write the character itself",
    "u": "\\u escapes are not supported: write the character itself",
    "N": "\\N escapes are not supported: write the character itself",
}
_SPECIAL = set("\\.^$|?*+()[]{}")


# ------------------------------------------------------------------ the parser: text -> tree


@dataclass(frozen=True)
class _Set:
    index: int


@dataclass(frozen=True)
class _Cat:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class _Alt:
    branches: tuple[Node, ...]


@dataclass(frozen=True)
class _Rep:
    inner: Node
    low: int
    high: int | None


Node = _Set | _Cat | _Alt | _Rep


@dataclass
class _Parser:
    text: str
    offset: int = 0  # where text starts in the pattern as written (after a leading ^)
    position: int = 0
    sets: list[CharSet] = field(default_factory=list)

    def fail(self, message: str, at: int | None = None) -> PatternProblem:
        """A problem at position `at` of text (where the parser is, without one)."""
        where = self.position if at is None else at
        return PatternProblem(f"{message} (at character {self.offset + where + 1})")

    def peek(self) -> str | None:
        return self.text[self.position] if self.position < len(self.text) else None

    def take(self) -> str:
        char = self.text[self.position]
        self.position += 1
        return char

    def add(self, char_set: CharSet) -> Node:
        self.sets.append(char_set)
        return _Set(len(self.sets) - 1)

    def alternatives(self) -> Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.take()
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else _Alt(tuple(branches))

    def sequence(self) -> Node:
        parts: list[Node] = []
        while self.peek() not in (None, "|", ")"):
            parts.append(self.repeated())
        return _Cat(tuple(parts))

    def repeated(self) -> Node:
        atom = self.atom()
        char = self.peek()
        if char not in ("*", "+", "?", "{"):
            return atom
        if char == "{":
            low, high = self.bounds()
        else:
            self.take()
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        if self.peek() == "?":
            self.take()  # lazy: the same texts match
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail("a repetition of a repetition is not supported")
        return _Rep(atom, low, high)

    def bounds(self) -> tuple[int, int | None]:
        end = self.text.find("}", self.position)
        inside = self.text[self.position + 1 : end] if end != -1 else ""
        low_text, comma, high_text = inside.partition(",")
        if end == -1 or not low_text.isdigit() or (high_text and not high_text.isdigit()):
            raise self.fail("a repetition is {m}, {m,} or {m,n} with whole numbers")
        low = int(low_text)
        high = int(high_text) if high_text else (None if comma else low)
        if low > MAX_REPEAT or (high is not None and high > MAX_REPEAT):
            raise self.fail(f"a repetition may count to {MAX_REPEAT} at most")
        if high is not None and high < low:
            raise self.fail(f"{{{inside}}} counts down")
        self.position = end + 1
        return low, high

    def atom(self) -> Node:
        char = self.take()
        if char == "(":
            if self.peek() == "?":
                if self.text.startswith("?:", self.position):
                    self.position += 2
                else:
                    raise self.fail(
                        "only plain groups (…) and (?:…) are supported: no lookarounds, names or flags",
                        self.position - 1,
                    )
            inner = self.alternatives()
            if self.peek() != ")":
                raise self.fail("a group is not closed with )")
            self.take()
            return inner
        if char == ")":
            raise self.fail(") closes no group")
        if char in "*+?{":
            raise self.fail(f"{char} repeats nothing")
        if char == "[":
            return self.add(self.char_class())
        if char == ".":
            return self.add(CharSet(any_but_newline=True))
        if char in "^$":
            raise self.fail(f"{char} is supported only as the pattern's first (^) or last ($) character")
        if char == "\\":
            return self.add(self.escape(in_class=False))
        return self.add(CharSet(chars=frozenset({char})))

    def escape(self, *, in_class: bool) -> CharSet:
        backslash = self.position - 1
        if self.peek() is None:
            raise self.fail("the pattern ends with a lone \\", backslash)
        char = self.take()
        if char in _CLASSES:
            return CharSet(classes=(char,))
        if char in _ESCAPES:
            return CharSet(chars=frozenset({_ESCAPES[char]}))
        if char.isdigit():
            raise self.fail("backreferences (\\1) are not supported", backslash)
        if char in _UNSUPPORTED_ESCAPES and not (in_class and char == "b"):
            raise self.fail(_UNSUPPORTED_ESCAPES[char], backslash)
        if char.isalnum():
            raise self.fail(f"unknown escape \\{char}", backslash)
        return CharSet(chars=frozenset({char}))

    def char_class(self) -> CharSet:
        negated = self.peek() == "^"
        if negated:
            self.take()
        chars: set[str] = set()
        ranges: list[tuple[str, str]] = []
        classes: list[str] = []
        first = True
        while True:
            char = self.peek()
            if char is None:
                raise self.fail("a class [ is not closed with ]")
            if char == "]" and not first:
                self.take()
                break
            first = False
            self.take()
            if char == "\\":
                escaped = self.escape(in_class=True)
                if escaped.classes:
                    classes.extend(escaped.classes)
                    continue
                (char,) = escaped.chars
            if self.peek() == "-" and self.text[self.position + 1 : self.position + 2] not in ("]", ""):
                self.take()
                high = self.take()
                if high == "\\":
                    escaped = self.escape(in_class=True)
                    if escaped.classes:
                        raise self.fail("a range cannot end in a class like \\d")
                    (high,) = escaped.chars
                if high < char:
                    raise self.fail(f"the range {char}-{high} runs backwards")
                ranges.append((char, high))
            else:
                chars.add(char)
        return CharSet(frozenset(chars), tuple(ranges), tuple(classes), negated)


# ------------------------------------------------------------------ tree -> NFA (Thompson)


@dataclass
class _Nfa:
    """states[i] is ("set", index, next) | ("split", a, b) | ("match",)."""

    states: list[tuple[int, ...]] = field(default_factory=list)

    def add(self, state: tuple[int, ...]) -> int:
        if len(self.states) >= MAX_NFA_STATES:
            raise PatternProblem("the pattern is too complex: its repetitions expand too far")
        self.states.append(state)
        return len(self.states) - 1

    def build(self, node: Node, then: int) -> int:
        """The entry state of node, whose matches continue at state `then`."""
        if isinstance(node, _Set):
            return self.add((0, node.index, then))
        if isinstance(node, _Cat):
            entry = then
            for part in reversed(node.parts):
                entry = self.build(part, entry)
            return entry
        if isinstance(node, _Alt):
            branches = [self.build(branch, then) for branch in node.branches]
            entry = branches[-1]
            for branch in reversed(branches[:-1]):
                entry = self.add((1, branch, entry))
            return entry
        if node.high is None:
            entry = self.add((1, -1, then))  # a split into the body (which comes back here) or onward
            self.states[entry] = (1, self.build(node.inner, entry), then)
        else:
            # Optional copies nested, x(x(x)?)?: each either takes one more or goes straight on, so a
            # text has one way through them, not many.
            entry = then
            for _ in range(node.high - node.low):
                entry = self.add((1, self.build(node.inner, entry), then))
        for _ in range(node.low):
            entry = self.build(node.inner, entry)
        return entry


def _reversed(node: Node) -> Node:
    if isinstance(node, _Cat):
        return _Cat(tuple(_reversed(part) for part in reversed(node.parts)))
    if isinstance(node, _Alt):
        return _Alt(tuple(_reversed(branch) for branch in node.branches))
    if isinstance(node, _Rep):
        return _Rep(_reversed(node.inner), node.low, node.high)
    return node


# ------------------------------------------------------------------ NFA -> DFA, lazily


class _Automaton:
    """A DFA over an NFA, built a state at a time as the text needs it. With `search`, every position
    is a possible start (the NFA's start is added to each state), as an unanchored search needs."""

    def __init__(self, nfa: _Nfa, start: int, sets: list[CharSet], *, search: bool) -> None:
        self._nfa = nfa.states
        self._sets = sets
        self._search = search
        self._start_set = self._closure({start})
        self._masks: dict[str, int] = {}
        self._forget()

    def _forget(self) -> None:
        self._ids: dict[frozenset[int], int] = {}
        self._members: list[frozenset[int]] = []
        self._accepts: list[bool] = []
        self._moves: list[dict[int, int]] = []
        self.start = self._state(self._start_set)

    def _closure(self, entries: set[int]) -> frozenset[int]:
        seen: set[int] = set()
        stack = list(entries)
        while stack:
            index = stack.pop()
            if index in seen:
                continue
            seen.add(index)
            state = self._nfa[index]
            if state[0] == 1:
                stack.extend(state[1:])
        return frozenset(seen)

    def _state(self, members: frozenset[int]) -> int:
        found = self._ids.get(members)
        if found is None:
            found = len(self._members)
            self._ids[members] = found
            self._members.append(members)
            self._accepts.append(any(self._nfa[index][0] == 2 for index in members))
            self._moves.append({})
        return found

    @property
    def size(self) -> int:
        return len(self._members)

    def accepts(self, state: int) -> bool:
        return self._accepts[state]

    def dead(self, state: int) -> bool:
        return not self._search and not self._members[state]

    def mask(self, char: str) -> int:
        found = self._masks.get(char)
        if found is None:
            found = sum(1 << index for index, char_set in enumerate(self._sets) if char_set.takes(char))
            if len(self._masks) < 10_000:
                self._masks[char] = found
        return found

    def step(self, state: int, mask: int) -> int:
        found = self._moves[state].get(mask)
        if found is not None:
            return found
        current = self._members[state]
        entries: set[int] = set()
        for index in current:
            nfa_state = self._nfa[index]
            if nfa_state[0] == 0 and mask >> nfa_state[1] & 1:
                entries.add(nfa_state[2])
        members = self._closure(entries)
        if self._search:
            members |= self._start_set
        if len(self._members) >= CACHE_STATES:
            self._forget()
            state = self._state(current)
        found = self._state(members)
        self._moves[state][mask] = found
        return found


@dataclass(frozen=True)
class SafePattern:
    """A compiled pattern of the subset: search(text) finds where it first matches, in linear time."""

    source: str
    anchored_start: bool
    anchored_end: bool
    _forward: _Automaton = field(compare=False, repr=False)
    _backward: _Automaton = field(compare=False, repr=False)
    _anchored: _Automaton = field(compare=False, repr=False)

    def search(self, text: str) -> tuple[int, int] | None:
        """(start, end) of the leftmost match, as long as it goes; None when the text has none.

        Three passes, each reading a character at most once: forward to where the first match ends,
        backward from there to where it starts, forward again from the start to its longest end.
        """
        end = self._first_end(text)
        if end is None:
            return None
        start = self._start(text, end)
        return start, self._longest_end(text, start, end)

    def _first_end(self, text: str) -> int | None:
        automaton = self._forward
        state = automaton.start
        if automaton.accepts(state) and not self.anchored_end:
            return 0
        for position, char in enumerate(text):
            state = automaton.step(state, automaton.mask(char))
            if automaton.dead(state):
                return None
            if automaton.accepts(state) and not self.anchored_end:
                return position + 1
        return len(text) if automaton.accepts(state) else None

    def _start(self, text: str, end: int) -> int:
        automaton = self._backward
        state = automaton.start
        start = end if automaton.accepts(state) else -1
        for position in range(end - 1, -1, -1):
            state = automaton.step(state, automaton.mask(text[position]))
            if automaton.dead(state):
                break
            if automaton.accepts(state):
                start = position
        return 0 if self.anchored_start or start < 0 else start

    def _longest_end(self, text: str, start: int, end: int) -> int:
        if self.anchored_end:
            return len(text)
        automaton = self._anchored
        state = automaton.start
        for position in range(start, len(text)):
            state = automaton.step(state, automaton.mask(text[position]))
            if automaton.dead(state):
                break
            if automaton.accepts(state):
                end = position + 1
        return end


def _matches_empty(automaton: _Automaton) -> bool:
    return automaton.accepts(automaton.start)


def _explore(automaton: _Automaton, samples: set[str]) -> None:
    """Visit every state reachable over the sample characters; refuse a pattern whose DFA grows too big."""
    masks = {automaton.mask(char) for char in samples}
    pending = [automaton.start]
    seen = {automaton.start}
    while pending:
        state = pending.pop()
        for mask in masks:
            following = automaton.step(state, mask)
            if following not in seen:
                seen.add(following)
                if len(seen) > MAX_STATES:
                    raise PatternProblem(
                        f"the pattern is too complex to match in linear time (over {MAX_STATES} states);"
                        " write it more plainly"
                    )
                pending.append(following)


def compile_pattern(source: str) -> SafePattern:
    """The pattern compiled; PatternProblem when it is not of the subset, too long or too complex."""
    if not source:
        raise PatternProblem("the pattern is empty")
    if len(source) > MAX_PATTERN_CHARS:
        raise PatternProblem(f"the pattern is over {MAX_PATTERN_CHARS} characters")
    body = source
    anchored_start = body.startswith("^")
    if anchored_start:
        body = body[1:]
    anchored_end = body.endswith("$") and not _escaped_at_end(body)
    if anchored_end:
        body = body[:-1]
    parser = _Parser(body, offset=int(anchored_start))
    tree = parser.alternatives()
    if parser.peek() == ")":
        raise parser.fail(") closes no group")
    if (anchored_start or anchored_end) and isinstance(tree, _Alt):
        raise PatternProblem("with ^ or $, group the alternatives: ^(a|b)$")
    nfa = _Nfa()
    match = nfa.add((2,))
    entry = nfa.build(tree, match)
    forward = _Automaton(nfa, entry, parser.sets, search=not anchored_start)
    anchored = _Automaton(nfa, entry, parser.sets, search=False)
    backward_nfa = _Nfa()
    backward_match = backward_nfa.add((2,))
    backward = _Automaton(
        backward_nfa, backward_nfa.build(_reversed(tree), backward_match), parser.sets, search=False
    )
    if _matches_empty(forward):
        raise PatternProblem("the pattern matches an empty text, so it would hold for every item")
    samples = {"\n", "§", "a", "я", "0", " "} | {
        char for char_set in parser.sets for char in char_set.samples()
    }
    _explore(forward, samples)
    return SafePattern(source, anchored_start, anchored_end, forward, backward, anchored)


def _escaped_at_end(body: str) -> bool:
    """Whether the final $ of body is escaped (an odd number of backslashes before it)."""
    backslashes = len(body) - 1 - len(body[:-1].rstrip("\\"))
    return backslashes % 2 == 1
