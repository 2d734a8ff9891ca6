"""A text as moderation reads it: folded (lowercase, ё as е, every offset kept) and cut into words."""

from __future__ import annotations

import re

from otklik.domain.moderation.lexicon import TRIGGER_WORDS, WORDS

# Words (letters and digits), and one token per sentence-ending mark or comma; the rest separates.
_TOKEN = re.compile(r"[^\W_]+|[.!?;\n…,]")
SENTENCE_ENDS = frozenset(".!?;\n…")
CLAUSE_END = ","
BOUNDARIES = SENTENCE_ENDS | {CLAUSE_END}
# How far a rule reads from a word for the rest of its sentence.
SENTENCE_REACH = 16


def fold(text: str) -> str:
    """The text lowercased with ё as е, character for character: offsets into it are offsets into text."""
    folded = text.lower()
    if len(folded) != len(text):
        # A few characters lowercase to two ("İ"): those keep their case, so offsets stay the text's.
        folded = "".join(lower if len(lower := char.lower()) == 1 else char for char in text)
    return folded.replace("ё", "е")


class Words:
    """The text, its folded copy, its tokens (folded words, and "." "!" "," ... one a mark), and the
    words rules start from (hits). Spans are found only when asked for: most texts are clean, and a
    clean text never needs one."""

    __slots__ = ("_spans", "folded", "hits", "text", "tokens")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        self.tokens: list[str] = _TOKEN.findall(self.folded)
        # (index, bits) of the words a rule starts from; most texts have none, found by one set operation.
        self.hits: list[tuple[int, int]] = []
        if not TRIGGER_WORDS.isdisjoint(self.tokens):
            self.hits = [
                (index, WORDS[token]) for index, token in enumerate(self.tokens) if token in TRIGGER_WORDS
            ]
        self._spans: list[tuple[int, int]] | None = None

    @property
    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            # Each token is the first occurrence of its text after the one before: only characters no
            # token holds stand between two tokens. str.find is quicker than reading the text again.
            spans: list[tuple[int, int]] = []
            find = self.folded.find
            position = 0
            for token in self.tokens:
                start = find(token, position)
                position = start + len(token)
                spans.append((start, position))
            self._spans = spans
        return self._spans

    def original(self, index: int) -> str:
        start, end = self.spans[index]
        return self.text[start:end]

    def bits(self, index: int) -> int:
        return WORDS.get(self.tokens[index], 0)

    def has_known_word(self) -> bool:
        """Whether any word of the text is in moderation's word lists."""
        return not WORDS.keys().isdisjoint(self.tokens)

    def sentence(self, index: int, reach: int = SENTENCE_REACH) -> range:
        """The indexes of the tokens of the sentence that holds index (its ending mark left out), at
        most `reach` tokens on either side: a rule reads a bounded stretch, whatever the text's length."""
        tokens = self.tokens
        start = index
        while start > 0 and index - start < reach and tokens[start - 1] not in SENTENCE_ENDS:
            start -= 1
        end = index
        while end + 1 < len(tokens) and end - index < reach and tokens[end + 1] not in SENTENCE_ENDS:
            end += 1
        return range(start, end + 1)

    def is_whole_sentence(self, tokens: range) -> bool:
        """Whether a range sentence() gave is the whole sentence, not cut at its reach."""
        before, after = tokens.start - 1, tokens.stop
        return (before < 0 or self.tokens[before] in SENTENCE_ENDS) and (
            after >= len(self.tokens) or self.tokens[after] in SENTENCE_ENDS
        )


def read(text: str) -> Words:
    return Words(text)
