"""Fake signals: reviews written for a reward, one phrase repeated to fill a review, and a text seen
before from another author or about another product.

- A reward for the review: "отзыв за баллы", "пишу ради кэшбэка", "за отзыв обещали 200 рублей",
  "продавец попросил поставить 5 звёзд". Points bought with ("купила за баллы") or a thank-you for a
  review ("спасибо за отзыв") are not: the reward must be tied to the review, within one clause; and
  "пишу не ради баллов" is negated.
- Repetition: a phrase of one to six words said three times or more in a row, six words at least
  ("рекомендую рекомендую ...", "отличный товар отличный товар отличный товар").
- Seen before: the domain stores nothing, so the caller looks text_fingerprint(text) up in its store
  and passes who wrote that text first (SeenText). Short texts ("Всё отлично, спасибо!") are written
  by thousands of people and have no fingerprint.
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Iterator

from otklik.domain.moderation.lexicon import ASKED, FOR, INCENTIVE, LEAVE, NEGATION, PRAISE, PROMISE, REVIEW
from otklik.domain.moderation.model import SeenText
from otklik.domain.moderation.text import BOUNDARIES, Words, fold

# What a fingerprint is taken of: the words (letters only), lowercased, ё as е.
_LETTER_WORDS = re.compile(r"[^\W\d_]+")
# A text must be this long to have a fingerprint: shorter ones are what many people write.
FINGERPRINT_MIN_WORDS = 8
FINGERPRINT_MIN_LETTERS = 40
MAX_PHRASE = 6
MIN_REPEATS = 3
MIN_REPEATED_WORDS = 6
CLAUSE_REACH = 3


def _fingerprint_words(text: str) -> list[str]:
    return _LETTER_WORDS.findall(fold(text))


def text_fingerprint(text: str) -> str | None:
    """A stable fingerprint of what a text says (sha256 of its lowercased words, letters only: case,
    ё, punctuation, digits, emoji and spacing do not change it); None for a text too short to tell
    one writer from another."""
    found = _fingerprint_words(text)
    if len(found) < FINGERPRINT_MIN_WORDS or sum(map(len, found)) < FINGERPRINT_MIN_LETTERS:
        return None
    return hashlib.sha256(" ".join(found).encode("utf-8")).hexdigest()


def _clause_words(words: Words, index: int, step: int) -> Iterator[int]:
    seen = 0
    position = index + step
    while 0 <= position < len(words.tokens) and seen < CLAUSE_REACH:
        if words.tokens[position] in BOUNDARIES:
            return
        seen += 1
        yield position
        position += step


def _span(words: Words, first: int, last: int, why: str) -> tuple[int, int, str]:
    low, high = min(first, last), max(first, last)
    return words.spans[low][0], words.spans[high][1], why


def _rewards(words: Words) -> Iterator[tuple[int, int, str]]:
    tokens = words.tokens
    for index, bits in words.hits:
        negated = index > 0 and words.bits(index - 1) & NEGATION
        after = index + 1
        if bits & FOR and not negated and after < len(tokens):
            following = words.bits(after)
            if following & INCENTIVE:
                # отзыв за баллы, пишу ради кэшбэка, за баллы пишу отзыв
                review = next((p for p in _clause_words(words, index, -1) if words.bits(p) & REVIEW), None)
                if review is None:
                    review = next((p for p in _clause_words(words, after, 1) if words.bits(p) & REVIEW), None)
                if review is not None:
                    yield _span(
                        words, min(review, index), max(review, after), "a review written for a reward"
                    )
            elif following & REVIEW and tokens[index] == "за":
                # за отзыв обещали, за отзыв начислят баллы
                sentence = words.sentence(index)
                reward = next(
                    (p for p in sentence if p != after and words.bits(p) & (PROMISE | INCENTIVE)), None
                )
                if reward is not None:
                    yield _span(words, index, reward, "a reward was promised for the review")
        if bits & ASKED:
            sentence = words.sentence(index)
            if any(words.bits(p) & LEAVE for p in sentence):
                asked_for = next(
                    (
                        p
                        for p in sentence
                        if p > index
                        and (
                            words.bits(p) & INCENTIVE
                            or (words.bits(p) & PRAISE and p + 1 in sentence and words.bits(p + 1) & REVIEW)
                        )
                    ),
                    None,
                )
                if asked_for is not None:
                    last = asked_for + 1 if words.bits(asked_for) & PRAISE else asked_for
                    yield _span(words, index, last, "the seller asked for a good review")


def _repetition(words: Words) -> tuple[int, int, str] | None:
    tokens = words.tokens
    distinct = set(tokens)
    marks = distinct & BOUNDARIES
    count = len(tokens) - sum(map(tokens.count, marks))
    if count < MIN_REPEATED_WORDS or count - (len(distinct) - len(marks)) < 4:
        return None  # too few words said twice for any phrase said three times
    positions = [index for index, token in enumerate(tokens) if token not in BOUNDARIES]
    said = [tokens[index] for index in positions]
    for size in range(1, MAX_PHRASE + 1):
        # A phrase of `size` words said again and again is a run of words each equal to the word
        # `size` places after it; the comparisons are made as one byte string, searched in C.
        needed = max(MIN_REPEATED_WORDS, MIN_REPEATS * size) - size
        same = bytes(map(operator.eq, said, said[size:]))
        first = same.find(b"\x01" * needed)
        if first < 0:
            continue
        run = needed
        while first + run < len(same) and same[first + run]:
            run += 1
        total = run + size
        phrase = " ".join(words.original(positions[first + k]) for k in range(size))
        return (
            words.spans[positions[first]][0],
            words.spans[positions[first + total - 1]][1],
            f"one phrase said {total // size} times in a row: {phrase!r}",
        )
    return None


def _seen(
    text: str, author: str | None, product: str | None, seen_before: SeenText | None
) -> tuple[int, int, str] | None:
    if seen_before is None or text_fingerprint(text) is None:
        return None
    stripped = text.strip()
    start = text.index(stripped) if stripped else 0
    span = (start, start + len(stripped))
    if author and seen_before.author and fold(author.strip()) != fold(seen_before.author.strip()):
        return *span, "the same text was posted before by another author"
    if product and seen_before.product and product.strip() != seen_before.product.strip():
        return *span, "the same text was posted before about another product"
    return None


def find_fake_signals(
    words: Words, author: str | None, product: str | None, seen_before: SeenText | None
) -> Iterator[tuple[int, int, str]]:
    """(start, end, why) of every fake signal."""
    yield from _rewards(words)
    repeated = _repetition(words)
    if repeated is not None:
        yield repeated
    seen = _seen(words.text, author, product, seen_before)
    if seen is not None:
        yield seen
