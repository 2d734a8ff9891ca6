"""Per-deployment lexicon overrides: a seller's own product slang, validated before it is used.

Overrides are a JSON object of term -> valence (-4..4), from a file or a parameter, for example
{"имба": 3.0, "пушка": 2.5, "маломерка": -1.5, "мыльн*": -1.0, "не тянет": -1.8}.
- a single word that is a lemma of the shipped lexicon changes that lemma, so every form follows;
- any other single word applies to exactly that form (ё as е, any case);
- a word ending in * applies to every word the lexicon does not know that starts with what precedes
  the * (three letters or more);
- two to five words make a phrase, matched on the lemmas the shipped lexicon knows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from otklik.domain.tonality.lexicon_table import normalize

_WORD = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")
MAX_PHRASE_WORDS = 5
MIN_PREFIX_LETTERS = 3


class OverrideError(ValueError):
    """Overrides that cannot be used; the message names every bad entry and why."""


@dataclass(frozen=True)
class Overrides:
    words: tuple[tuple[str, float], ...] = ()
    prefixes: tuple[tuple[str, float], ...] = ()
    phrases: tuple[tuple[tuple[str, ...], float], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes or self.phrases)


NO_OVERRIDES = Overrides()


def _check(term: Any, value: Any) -> str | None:
    """Why an entry is bad, or None."""
    if not isinstance(term, str) or not term.strip():
        return "the term must be a non-empty string"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"the valence must be a number, not {json.dumps(value, ensure_ascii=False)}"
    if not -4.0 <= float(value) <= 4.0:
        return f"the valence {value} is outside -4..4"
    words = term.split()
    if len(words) > MAX_PHRASE_WORDS:
        return f"a phrase has at most {MAX_PHRASE_WORDS} words"
    if len(words) == 1 and words[0].endswith("*"):
        stem = words[0][:-1]
        if not _WORD.match(stem) or len(stem) < MIN_PREFIX_LETTERS:
            return f"a prefix needs {MIN_PREFIX_LETTERS} letters or more before the *"
        return None
    bad = [w for w in words if not _WORD.match(w)]
    if bad:
        return (
            f"{', '.join(bad)} is not a word (letters and inner hyphens only; * only at the end of one word)"
        )
    return None


def parse_overrides(document: Any, origin: str = "overrides") -> Overrides:
    if not isinstance(document, dict):
        raise OverrideError(f"{origin}: must be a JSON object of term -> valence")
    problems = [
        f"{json.dumps(term, ensure_ascii=False)}: {why}"
        for term, value in document.items()
        if (why := _check(term, value)) is not None
    ]
    if problems:
        raise OverrideError(f"{origin}: bad tonality overrides: " + "; ".join(problems))
    words, prefixes, phrases = [], [], []
    for term, value in document.items():
        parts = tuple(normalize(w) for w in term.split())
        if len(parts) > 1:
            phrases.append((parts, float(value)))
        elif parts[0].endswith("*"):
            prefixes.append((parts[0][:-1], float(value)))
        else:
            words.append((parts[0], float(value)))
    return Overrides(tuple(words), tuple(prefixes), tuple(phrases))
