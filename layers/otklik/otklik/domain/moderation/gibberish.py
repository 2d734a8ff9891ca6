"""Gibberish: keyboard mashing and no words at all ("ывапролдж", "asdfgh", "ааааааа").

A text is gibberish only when nothing in it is a word: a run along a keyboard row (йцукен, фыва,
asdf), one letter held down, four or more letters without a vowel, or six consonants in a row are
mashing; a frequent short word ("ок", "норм", "да") or any word-like word (three letters or more with a
vowel, not mashing) makes the text a text. Short texts (under five letters: "ок", "👍", "ыыы") are
never gibberish: a short answer is an answer.
"""

from __future__ import annotations

from itertools import pairwise

from otklik.domain.moderation.text import Words

MIN_LETTERS = 5
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = frozenset(
    pair for row in _ROWS for left, right in pairwise(row) for pair in (left + right, right + left)
)
VOWELS = frozenset("аеиоуыэюяaeiouy")
MAX_CONSONANTS = 5


def is_mashing(word: str) -> bool:
    """Whether a word (folded, letters only) is keyboard mashing."""
    if len(word) < 4:
        return False
    if len(set(word)) == 1:
        return True
    if not any(char in VOWELS for char in word):
        return True
    along_rows = sum(a + b in _NEIGHBOURS for a, b in pairwise(word))
    if along_rows == len(word) - 1 or (len(word) >= 5 and along_rows >= 0.75 * (len(word) - 1)):
        return True
    run = 0
    for char in word:
        run = 0 if char in VOWELS else run + 1
        if run > MAX_CONSONANTS:
            return True
    return False


def find_gibberish(words: Words) -> tuple[int, int, str] | None:
    """(start, end, why) over the whole text when it is gibberish; None otherwise."""
    if words.has_known_word():
        return None  # a word we know
    letters = 0
    mashed = 0
    first = last = -1
    for index, token in enumerate(words.tokens):
        if not token.isalpha():
            continue
        if is_mashing(token):
            mashed += len(token)
        elif len(token) >= 3 and any(char in VOWELS for char in token):
            return None  # a word-like word
        letters += len(token)
        first = index if first < 0 else first
        last = index
    if not mashed or letters < MIN_LETTERS:
        return None
    return words.spans[first][0], words.spans[last][1], "keyboard mashing, no words"
