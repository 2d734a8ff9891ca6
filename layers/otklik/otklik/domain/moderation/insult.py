"""Insults: abuse aimed at a person (the seller, staff, a courier, other buyers), never at a product.

A word of abuse is an insult only when the sentence aims it at someone:
- a person named beside it ("продавец дебил", "курьер урод", "тупые упаковщики") or the reader
  ("вы идиоты", "ты тупой", "дебилы, верните деньги": a verb in the second person), nearer to it than
  the writer ("я дура, что купила" is not an insult, nor is "вы меня за идиота держите?");
- "какой дебил это упаковывал": a person by the question itself;
- a shout of nothing else ("Уроды!!!", "Ну вы и мрази"), for words that name a person by themselves.
Words that are abuse only sometimes (дурак, козёл, сука, овца) need a person or the reader named next
to them; adjectives (тупой, криворукий) need a person right beside them, so "тупой нож" is blunt and
"ужасный товар" is a complaint. "Оскорбляете" and "хамство" name abuse without being abuse.
"""

from __future__ import annotations

from collections.abc import Iterator

from otklik.domain.moderation.lexicon import (
    FILLER,
    INSULT,
    INSULT_ADJ,
    INSULT_WEAK,
    PERSON,
    SELF,
    SIMILE,
    THIRD,
    WHO,
    WORDS,
    YOU,
)
from otklik.domain.moderation.text import BOUNDARIES, CLAUSE_END, SENTENCE_ENDS, Words

WINDOW = 4
# Endings of a verb addressing the reader (верните, сделайте, творишь): the sentence speaks to them.
_SECOND_PERSON_ENDINGS = ("ите", "йте", "ешь", "ишь")
_SHOUT = FILLER | YOU | INSULT | INSULT_WEAK | INSULT_ADJ


def _neighbours(words: Words, index: int, step: int) -> Iterator[tuple[int, int]]:
    """(distance, index) of the words before (step -1) or after (step 1) index, within its sentence."""
    distance = 0
    position = index + step
    while 0 <= position < len(words.tokens) and distance < WINDOW:
        token = words.tokens[position]
        if token in SENTENCE_ENDS:
            return
        if token != CLAUSE_END:
            distance += 1
            yield distance, position
        position += step


def _nearest(
    words: Words, index: int, wanted: int, reach: int = WINDOW, reach_after: int | None = None
) -> tuple[int, int] | None:
    """(distance, index) of the nearest word with one of the wanted bits, within reach before it and
    reach_after (reach unless given) after it."""
    best: tuple[int, int] | None = None
    for step in (-1, 1):
        limit = reach if step < 0 or reach_after is None else reach_after
        for distance, position in _neighbours(words, index, step):
            if distance > limit:
                break
            if words.bits(position) & wanted:
                if best is None or distance < best[0]:
                    best = (distance, position)
                break
    return best


def _addresses_reader(words: Words, sentence: range, index: int) -> int | None:
    """The index of a verb in the second person in the sentence, if there is one."""
    for position in sentence:
        token = words.tokens[position]
        if position != index and len(token) >= 5 and token.endswith(_SECOND_PERSON_ENDINGS):
            return position
    return None


def _is_shout(words: Words, sentence: range) -> bool:
    return words.is_whole_sentence(sentence) and all(
        words.tokens[position] == CLAUSE_END or words.bits(position) & _SHOUT for position in sentence
    )


def _aim(words: Words, index: int, bits: int) -> str | None:
    """Why the abuse at index is aimed at a person, or None when it is not."""
    if index > 0 and words.tokens[index - 1] == "не":
        return None  # "курьер не урод"
    target = _nearest(words, index, PERSON | YOU | THIRD)
    # The writer as the subject before it ("я полная дура") or right after it ("дура я, что купила").
    writer = _nearest(words, index, SELF, reach=3, reach_after=1)
    if writer is not None and (target is None or writer[0] <= target[0]):
        return None  # the writer speaks of themselves
    if bits & INSULT_ADJ and not bits & (INSULT | INSULT_WEAK):
        return _aim_of_adjective(words, index)
    simile = _nearest(words, index, SIMILE, reach=2)
    if target is not None and target[0] <= (WINDOW if bits & INSULT else 3):
        if simile is not None and simile[0] < target[0] and words.bits(target[1]) & THIRD:
            return None  # "она сидит как на корове"
        return _named(words, target[1])
    if simile is not None or not bits & INSULT:
        return None
    who = _nearest(words, index, WHO, reach=2)
    if who is not None and who[1] < index:
        return f"abuse aimed at a person: {words.original(who[1])!r}"
    sentence = words.sentence(index)
    verb = _addresses_reader(words, sentence, index)
    if verb is not None:
        return f"abuse aimed at the reader: {words.original(verb)!r}"
    if _is_shout(words, sentence):
        return "abuse shouted at the reader"
    return None


def _aim_of_adjective(words: Words, index: int) -> str | None:
    """тупой продавец, продавец тупой, вы тупые, продавец просто тупой: a person right beside it."""
    tokens = words.tokens
    after = index + 1
    if after < len(tokens) and WORDS.get(tokens[after], 0) & PERSON:
        return _named(words, after)
    before = index - 1
    if before >= 0 and WORDS.get(tokens[before], 0) & (PERSON | YOU):
        return _named(words, before)
    clause_ends = after >= len(tokens) or tokens[after] in BOUNDARIES
    for gap in (index - 2, index - 3):
        if not clause_ends or gap < 0:
            break
        between = range(gap + 1, index)
        fillers_only = all(
            WORDS.get(tokens[position], 0) & FILLER or tokens[position] == CLAUSE_END for position in between
        )
        if fillers_only and WORDS.get(tokens[gap], 0) & (PERSON | YOU):
            return _named(words, gap)
    return None


def _named(words: Words, target: int) -> str:
    whom = "the reader" if words.bits(target) & YOU else "a person"
    return f"abuse aimed at {whom}: {words.original(target)!r}"


def find_insults(words: Words) -> Iterator[tuple[int, int, str]]:
    """(start, end, why) of every insult."""
    for index, bits in words.hits:
        if bits & (INSULT | INSULT_WEAK | INSULT_ADJ):
            why = _aim(words, index, bits)
            if why is not None:
                start, end = words.spans[index]
                yield start, end, why
