"""Contacts: phone numbers, e-mail addresses, messenger handles and links, and calls to write or call
outside the marketplace. Marketplaces forbid them in reviews and in replies alike.

The addresses themselves are found by otklik.domain.pii (one set of patterns masks and flags them);
here are what the words say: a messenger named with a number after it ("ватсап 8 912 ..."), and a
call to get in touch off the marketplace ("пишите в лс", "напишите в телегу").
"""

from __future__ import annotations

from collections.abc import Iterator

from otklik.domain.moderation.lexicon import MESSENGER, NEGATION, PRIVATE, SOLICIT
from otklik.domain.moderation.text import CLAUSE_END, SENTENCE_ENDS, Words
from otklik.domain.pii import contact_spans

WHY = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "handle": "a messenger or social network handle",
    "link": "a link to a messenger or social network account",
}
# Digits after a messenger's name that make a number, even cut short ("ватсап 8 912 ...").
MIN_DIGITS = 4
REACH = 3


def _following(words: Words, index: int) -> Iterator[int]:
    """The indexes of up to REACH words after index, within its sentence."""
    seen = 0
    for position in range(index + 1, len(words.tokens)):
        token = words.tokens[position]
        if token in SENTENCE_ENDS or seen == REACH:
            return
        if token != CLAUSE_END:
            seen += 1
            yield position


def find_contacts(words: Words) -> Iterator[tuple[int, int, str]]:
    """(start, end, why) of every contact."""
    for kind, start, end in contact_spans(words.text):
        yield start, end, WHY[kind]
    tokens = words.tokens
    for index, bits in words.hits:
        if bits & MESSENGER:
            digits = 0
            last = index
            for position in _following(words, index):
                if tokens[position].isdigit():
                    digits += len(tokens[position])
                    last = position
                elif digits:
                    break
            if digits >= MIN_DIGITS:
                yield words.spans[index][0], words.spans[last][1], "a messenger with a phone number"
        if bits & SOLICIT and not (index > 0 and words.bits(index - 1) & NEGATION):
            for position in _following(words, index):
                if words.bits(position) & (MESSENGER | PRIVATE):
                    yield (
                        words.spans[index][0],
                        words.spans[position][1],
                        "asks to be contacted outside the marketplace",
                    )
                    break
