"""Topics of a feedback text, each with the polarity its own clause gives it, and the span that names it.

How a text is read (set and dictionary look-ups, one pass each, linear in its length):
- tokens and clauses: words, numbers and marks; a clause ends at a mark (, : ; . ! ? ( ) and dashes) and
  before a contrast word (но, а, зато, однако, хотя; but, however...), so "Доставка быстрая, но
  качество ужасное" is two clauses, each judged on its own;
- evaluation: the tonality engine's contributions (computed once per item and passed in), each placed in
  the clause its words sit in, with the engine's negation and contrast already applied; plus the few
  evaluative words of our topic lexicon the tonality lexicon lacks ("тонкий", "жидкий"). Without
  contributions (English, which VADER scores without a per-word trail) the words' valences are looked up;
- cues (lexicon/README.md): a word in any form, consecutive words, lemma classes, and parts that must
  share a clause ("@arrive & @speed": "пришёл очень быстро"). A cue's polarity is its own ("маломерит"),
  flipped when negated ("не маломерит"), or its clause's: the evaluative words near it, else the rest
  of the clause ("упаковка была вся порвана"); a cue named absent ("запаха нет", "без коробки",
  "эффекта ноль") takes its absent polarity. Neutralizers take their words from every cue and
  evaluation ("большое спасибо", "в целом");
- quality by evaluation: a clause that names no topic but evaluates something in particular
  ("порвалось через день", "не держится", "вкусный", "мешки хорошие") is about the product itself:
  quality, with the clause's polarity. General verdicts alone ("Отлично!"), mood, thanks and advice
  ("обидно", "спасибо", "рекомендую") name no topic;
- one polarity per topic: the sum of its mentions' strengths, complaints counting double (a functional
  failure outweighs minor praise); the evidence is the first mention with the winning polarity.

Detection runs on every item beside tonality, so the hot path works on plain lists and sets, builds few
objects, and visits only the tokens that can start a cue.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from otklik.domain.tonality.lexicon_table import normalize
from otklik.domain.topics.mentions import TopicMention, TopicPolarity
from otklik.domain.topics.seller import NO_SELLER_TOPICS, SellerTopics
from otklik.domain.topics.table import (
    EXIST,
    FILLER,
    FUNCTION,
    MOOD,
    NEUTRALIZER,
    NUMBER,
    VERDICT,
    Cue,
    TopicTable,
)


class Evaluated(Protocol):
    """What the detector reads of a tonality contribution (otklik.domain.tonality.russian.Contribution)."""

    words: str
    source: str
    base: float
    value: float


# Words (a hyphen or an apostrophe separates two: "цена-качество", "don't"), numbers, and the marks that
# end a sentence or a clause; every other character only separates tokens.
_TOKEN = re.compile(r"\w+|[.!?…;\n,:()—–]")
STOP_MARKS = frozenset(".!?…;\n")  # end a sentence
MARKS = STOP_MARKS | frozenset(",:()—–")  # end a clause
DIGITS = frozenset("0123456789")
BOUNDARY, NEUTRAL_START, CUE_START, OWN_VALENCE = 1, 2, 4, 8  # what a token is to the detector
EMPTY: tuple[str, ...] = ()
EPSILON = 0.05
NEGATION = -0.74  # the tonality engine's factor, for the valences looked up here
FIXED = 2.0  # the strength of a cue's own polarity ("маломерит", "подделка")
DEFAULT = 0.5  # the strength of the polarity a cue takes when its clause does not judge it ("запечатана")
NEGATIVE_WEIGHT = 2.0  # a complaint outweighs praise of the same strength (a failure wins)
NEAR = 3  # tokens around a cue whose evaluative words judge it before the rest of its clause
WINDOW = 3  # filler words a negator may stand away from what it negates
COMPARISON_WINDOW = 4  # words (across commas) a "не" may stand before "как на фото"
KIND_CACHE = 50_000  # contributions remembered by their words (their words repeat across texts)
FAILURES = frozenset({"negated action", "excess"})  # the tonality engine's complaint shapes
SOURCES_WITHOUT_OBJECT = frozenset({"emoji", "emoticon", "brackets"})
SPECIFIC, VERDICT_UNIT, MOOD_UNIT = 0, 1, 2  # what an evaluative unit is about
FLIP = {"-": "+", "+": "-", "0": "0"}
# A seller's word takes its clause's polarity with its own valence ("скрипит"): the seller chose it.
SELLER = "=s"
DEFAULT_SIGN = {"=": "0", "=-": "-", "=+": "+", SELLER: "0"}
LABEL: Mapping[str, TopicPolarity] = {"-": "negative", "+": "positive", "0": "neutral"}


@dataclass(frozen=True)
class Grammar:
    """The function words of a language the detector reads clauses with."""

    contrast: frozenset[str]  # a new clause begins at each
    negators: frozenset[str]  # before a word: "не", "без", "нет"...
    absent_after: frozenset[str]  # after a word: "нет", "ноль"
    negator_then_exist: frozenset[str]  # "не" + a verb of @exist after a word: "эффекта не заметила"
    not_negation_after: frozenset[str]  # "не только", "не очень": no negation of what follows
    comparison: frozenset[str]  # "как" (на фото): negated from across a comma


RUSSIAN = Grammar(
    contrast=frozenset({"но", "а", "зато", "однако", "хотя", "хоть"}),
    negators=frozenset(
        {"не", "ни", "нет", "нету", "без", "нельзя", "никакой", "никакого", "никакая", "никакую"}
        | {"никаких", "никакие", "никаким", "никакое", "ноль", "нисколько", "ничуть", "отсутствие"}
    ),
    absent_after=frozenset({"нет", "нету", "ноль", "0", "отсутствует", "отсутствуют", "никакой", "никакого"}),
    negator_then_exist=frozenset({"не"}),
    not_negation_after=frozenset({"только", "то", "очень"}),
    comparison=frozenset({"как"}),
)
ENGLISH = Grammar(
    contrast=frozenset({"but", "however", "although", "though", "yet", "whereas"}),
    negators=frozenset({"not", "no", "never", "without", "t", "nothing", "none", "zero"}),
    absent_after=frozenset({"none", "zero"}),
    negator_then_exist=frozenset({"not", "t", "never"}),
    not_negation_after=frozenset({"only"}),
    comparison=frozenset({"as", "like"}),
)
GRAMMARS: Mapping[str, Grammar] = {"ru": RUSSIAN, "en": ENGLISH}

# In one clause, a topic that explains the complaint takes the words of a vaguer one: "пришёл другой
# размер" is a wrong item, not a size; "цвет не как на фото" a mismatch, not quality.
SUPPRESSES: Mapping[str, frozenset[str]] = {
    "wrong_or_missing_item": frozenset({"size_fit", "quality", "delivery"}),
    "description_mismatch": frozenset({"quality"}),
    "counterfeit": frozenset({"quality"}),
    "returns_refunds": frozenset({"price_value"}),
}


# The hot path's records are plain tuples (a named tuple costs ten times more to build):
Unit = tuple[int, int, float, int]  # an evaluative word or phrase: tokens [token, end), value, kind
# A cue found: topic, polarity, absent, the tokens [first, end) of its first part, its other parts.
Match = tuple[str, str, str, int, int, tuple[tuple[str, ...], ...]]
Found = tuple[str, str, int, int, int, float]  # a mention: topic, sign, evidence tokens, clause, strength
# A cue as the matching loop reads it: topic, polarity, absent, its first part and that part's length,
# and the parts that must share its clause.
Compiled = tuple[str, str, str, tuple[str, ...], int, tuple[tuple[str, ...], ...]]
Entry = tuple[tuple[Compiled, ...], dict[str, tuple[Compiled, ...]]]  # one-word cues; longer, by second word


class Reading:
    """One text as the detector reads it: tokens, clauses (as parallel lists), and what is found."""

    __slots__ = (
        "clause_end",
        "clause_first",
        "clause_of",
        "content",
        "covered",
        "judged",
        "keys",
        "lowered",
        "marked",
        "named",
        "norms",
        "opens",
        "sentence",
        "units",
        "values",
    )

    def __init__(self, lowered: str, norms: list[str], flags: Mapping[str, int]) -> None:
        self.lowered = lowered
        self.norms = norms
        count = len(norms)
        # One look-up a token says what each is to the detector (most tokens are nothing).
        self.marked = marked = [(i, flag) for i, flag in enumerate(map(flags.get, norms)) if flag]
        # Clauses run between marks and from each contrast word: built from these few boundaries.
        events = [i for i, flag in marked if flag & BOUNDARY]
        opening = {i for i in events if norms[i] not in MARKS}
        events.append(count)
        self.clause_of = clause_of = [-1] * count
        first: list[int] = []
        ends: list[int] = []
        self.sentence: list[int] = []
        self.opens: list[bool] = []
        start = sentence = clause = 0
        for event in events:
            if start < event:
                clause_of[start:event] = [clause] * (event - start)
                clause += 1
                first.append(start)
                ends.append(event)
                self.sentence.append(sentence)
                self.opens.append(start in opening)
            if event in opening:
                start = event  # a contrast word opens the next clause
            else:
                start = event + 1
                if event < count and norms[event] in STOP_MARKS:
                    sentence += 1
        self.clause_first, self.clause_end = first, ends
        self.values = [0.0] * clause  # each clause's evaluation: its units' values summed
        self.units: dict[int, list[Unit]] = {}  # the evaluative units of the clauses that have any
        self.named: set[int] = set()  # clauses where a cue names a topic
        self.judged: set[int] = set()  # clauses whose words judged a cue of a clause before them
        self.content: dict[int, bool] = {}  # clauses known to have (or lack) a judged word
        self.keys: dict[int, set[str]] = {}  # the keys of every word of the clauses asked about
        self.covered = [False] * count  # taken by a contribution, an evaluative word or a neutralizer


class TopicDetector:
    """The topics of texts in one language, from its table (and a seller's own cues)."""

    def __init__(
        self,
        table: TopicTable,
        lang: str,
        seller: SellerTopics = NO_SELLER_TOPICS,
        valence: Callable[[], Mapping[str, float]] | None = None,
    ) -> None:
        self._grammar = GRAMMARS[lang]
        self._seller = seller
        lemma_of = dict(table.lemma_of)
        self._lemma_of = lemma_of
        used = {key for cue in table.cues for part in cue.parts for key in part}
        # Each word form's keys (its lemma and classes), reduced to those some cue uses. Everything
        # else the detector asks of a word is a set of forms, so a text's words are never lemmatized.
        keys_by_lemma = {
            lemma: keys
            for lemma in table.forms_of
            if (keys := tuple(k for k in (lemma, *table.classes_of.get(lemma, ())) if k in used))
        }
        self._keys_of = {
            form: keys_by_lemma[lemma] for form, lemma in lemma_of.items() if lemma in keys_by_lemma
        }

        forms = table.forms

        # Each form a cue may start at -> (its one-word cues, its longer cues by the next word's key),
        # over all its keys, longer first parts first; neutralizers apart, as they are matched first.
        # The matching loop visits only these forms.
        self._neutral_starters = self._entries(
            [c for c in table.cues if c.topic == NEUTRALIZER], keys_by_lemma
        )
        self._starters = self._entries([c for c in table.cues if c.topic != NEUTRALIZER], keys_by_lemma)
        self._verdict = forms(table.members(VERDICT))
        self._mood = forms(table.members(MOOD))
        self._exist = forms(table.members(EXIST))
        self._filler = forms(table.members(FILLER))
        # Words that are not what a clause judges: function words, verdicts, mood, the author's doings.
        self._function_words = (
            forms(table.members(FUNCTION))
            | self._filler
            | self._verdict
            | self._mood
            | self._exist
            | self._grammar.negators
            | self._grammar.contrast
            | MARKS
        )
        self._evaluative = {
            form: table.evaluative[lemma] for form, lemma in lemma_of.items() if lemma in table.evaluative
        }
        # What each form is to the detector, as bits: one look-up a token when a text is read.
        self._flags: dict[str, int] = {}
        for forms_, bit in (
            (MARKS | self._grammar.contrast, BOUNDARY),
            (self._neutral_starters, NEUTRAL_START),
            (self._starters, CUE_START),
            (self._evaluative, OWN_VALENCE),
        ):
            for form in forms_:
                self._flags[form] = self._flags.get(form, 0) | bit
        self._negation_after = self._grammar.absent_after | self._grammar.negator_then_exist
        self._valence = valence
        self._kinds: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}

    def _entries(self, cues: list[Cue], keys_by_lemma: dict[str, tuple[str, ...]]) -> dict[str, Entry]:
        single: dict[str, list[Compiled]] = {}
        longer: dict[str, dict[str, list[Compiled]]] = {}
        for cue in sorted(cues, key=_precedence):
            first = cue.parts[0]
            compiled = (cue.topic, cue.polarity, cue.absent, first, len(first), cue.parts[1:])
            if len(first) == 1:
                single.setdefault(first[0], []).append(compiled)
            else:
                longer.setdefault(first[0], {}).setdefault(first[1], []).append(compiled)
        entries: dict[tuple[str, ...], Entry | None] = {}
        for keys in set(keys_by_lemma.values()):
            ones = sorted((c for k in keys for c in single.get(k, ())), key=_longest_first)
            by_second: dict[str, list[Compiled]] = {}
            for k in keys:
                for second, found in longer.get(k, {}).items():
                    by_second.setdefault(second, []).extend(found)
            entries[keys] = (
                (tuple(ones), {k: tuple(sorted(v, key=_longest_first)) for k, v in by_second.items()})
                if ones or by_second
                else None
            )
        return {form: entry for form, keys in self._keys_of.items() if (entry := entries[keys]) is not None}

    # ---------------------------------------------------------------- the whole text

    def detect(self, text: str, contributions: Sequence[Evaluated] | None) -> tuple[TopicMention, ...]:
        lowered = normalize(text)
        if len(lowered) != len(text):  # a rare letter whose lowercase is longer: keep the offsets
            lowered = "".join(normalize(ch)[:1] or ch for ch in text)
        norms = _TOKEN.findall(lowered)
        if not norms:
            return ()
        reading = Reading(lowered, norms, self._flags)
        matches = self._matches(reading)
        # Words a neutralizer took evaluate nothing; every other evaluative word goes to its clause.
        if contributions:
            self._place(reading, contributions)
        if contributions is None and self._valence is not None:
            self._look_up(reading, self._valence())
        elif self._evaluative:
            self._own_words(reading)
        for match in matches:
            if match[1] != "x" or self._negation(reading, match) is not None:
                reading.named.add(reading.clause_of[match[3]])
        found = [mention for match in matches if (mention := self._mention(reading, match)) is not None]
        found.extend(self._by_evaluation(reading))
        if not found:
            return ()
        return _one_per_topic(_suppressed(found), text, reading)

    # ---------------------------------------------------------------- cues

    def _keys(self, norm: str) -> tuple[str, ...]:
        keys = self._keys_of.get(norm)
        if keys is not None:
            return keys
        return (NUMBER,) if norm[0] in DIGITS else EMPTY

    def _run(self, norms: list[str], at: int, part: tuple[str, ...], limit: int) -> bool:
        """Whether part's keys are those of the consecutive tokens from at (before limit)."""
        if at + len(part) > limit:
            return False
        return all(want in self._keys(norms[at + offset]) for offset, want in enumerate(part))

    def _in_clause(self, reading: Reading, clause: int, part: tuple[str, ...], first: int, end: int) -> bool:
        """Whether part occurs in the clause, outside the words [first, end) of the cue's first part."""
        present = reading.keys.get(clause)
        if present is None:
            present = reading.keys[clause] = set()
            for at in range(reading.clause_first[clause], reading.clause_end[clause]):
                if not reading.covered[at]:  # (matching runs first: only a neutralizer's words are covered)
                    present.update(self._keys(reading.norms[at]))
        if part[0] not in present:
            return False
        if len(part) == 1 and not any(part[0] in self._keys(reading.norms[at]) for at in range(first, end)):
            return True  # a one-word part present, and not among the cue's own words
        return self._where(reading, clause, part, first, end) >= 0

    def _where(self, reading: Reading, clause: int, part: tuple[str, ...], first: int, end: int) -> int:
        """Where part begins in the clause, outside the words [first, end); -1 if nowhere."""
        limit = reading.clause_end[clause]
        for at in range(reading.clause_first[clause], limit - len(part) + 1):
            if at + len(part) > first and at < end:
                continue
            if self._run(reading.norms, at, part, limit):
                return at
        return -1

    def _candidates(self, entry: Entry, norms: list[str], index: int, limit: int) -> Sequence[Compiled]:
        """The cues that may start at index: those whose second word follows, then one-word ones."""
        one_word, by_second = entry
        if by_second and index + 1 < limit:
            following = self._keys_of.get(norms[index + 1])
            if following is None and norms[index + 1][0] in DIGITS:
                following = (NUMBER,)
            if following:
                longer = [c for key in following for c in by_second.get(key, ())]
                if longer:
                    return [*longer, *one_word]
        return one_word

    def _matches(self, reading: Reading) -> list[Match]:
        """Every cue found, left to right, once the neutralizers have taken their words."""
        norms, clause_of, clause_end, taken = (
            reading.norms,
            reading.clause_of,
            reading.clause_end,
            reading.covered,
        )
        neutral = self._neutral_starters
        neutralized = False
        for index in [i for i, flag in reading.marked if flag & NEUTRAL_START]:
            limit = clause_end[clause_of[index]]
            for _, _, _, first, length, _ in self._candidates(neutral[norms[index]], norms, index, limit):
                if length > 2 and not self._run(norms, index, first, limit):
                    continue
                # It takes its own words; the classes beside them are its context ("большое спасибо"
                # takes "большое" from size_fit, and "спасибо" stays what it is).
                for at, key in zip(range(index, index + length), first, strict=True):
                    if key[0] != "@":
                        taken[at] = neutralized = True
                break
        starters = self._starters
        found: list[Match] = []
        for index in [i for i, flag in reading.marked if flag & CUE_START]:
            if neutralized and taken[index]:
                continue
            clause = clause_of[index]
            limit = clause_end[clause]
            for topic, polarity, absent, first, length, rest in self._candidates(
                starters[norms[index]], norms, index, limit
            ):
                if length > 2 and not self._run(norms, index, first, limit):
                    continue
                end = index + length
                if neutralized and any(taken[index:end]):
                    continue
                if rest and not all(self._in_clause(reading, clause, part, index, end) for part in rest):
                    continue
                found.append((topic, polarity, absent, index, end, rest))
        if self._seller:
            found.extend(self._seller_matches(reading))
        if len(found) > 1 and len({match[0] for match in found}) < len(found):
            return _outermost(found)  # only a topic matched twice can have a match inside another
        return found

    def _seller_matches(self, reading: Reading) -> Iterable[Match]:
        norms, clause_of = reading.norms, reading.clause_of
        by_prefix = self._seller.by_prefix
        for index, norm in enumerate(norms):
            if not norm[0].isalpha():
                continue
            for cue in by_prefix.get(norm[:3], ()):
                end = index + len(cue.stems)
                if end > reading.clause_end[clause_of[index]]:
                    continue
                if all(cue.matches(k, norms[index + k]) for k in range(len(cue.stems))):
                    yield cue.topic, SELLER, ".", index, end, ()

    # ---------------------------------------------------------------- evaluation

    def _place(self, reading: Reading, contributions: Sequence[Evaluated]) -> None:
        """Each contribution into the clause its words sit in; the words it covers are marked."""
        norms, clause_of, covered = reading.norms, reading.clause_of, reading.covered
        cursor = 0
        for unit in contributions:
            kind, words = self._kind(unit)
            if not words:
                continue
            try:
                token = norms.index(words[0], cursor)
            except ValueError:
                continue  # an emoji, or a word this tokenizer reads otherwise
            end = token + 1
            if len(words) > 1 and words[-1] in norms[end:]:
                end = norms.index(words[-1], end) + 1
            cursor = end
            while token >= 0 and clause_of[token] < 0:
                token -= 1  # a smiley after the clause's last word belongs to that clause
            if token < 0 or covered[token]:
                continue  # before any word, or in a neutralizer's words
            value = unit.value
            if unit.source in FAILURES:
                # A failure by its shape ("не держится") stays one, whatever "не" the engine saw
                # before it; unless its verb is one of damage: "шов не разошёлся" is praise.
                damage = self._evaluative.get(words[-1], 0.0) < 0
                value = math.copysign(value, -unit.base if damage else unit.base)
            clause = clause_of[token]
            reading.values[clause] += value
            reading.units.setdefault(clause, []).append((token, end, value, kind))
            for index in range(token, end):
                covered[index] = True

    def _kind(self, unit: Evaluated) -> tuple[int, tuple[str, ...]]:
        """What a contribution evaluates (something in particular, whatever the clause names beside it,
        or nothing of the product), and its words as this tokenizer cuts them; remembered by its words."""
        key = (unit.words, unit.source)
        known = self._kinds.get(key)
        if known is None:
            if len(self._kinds) >= KIND_CACHE:
                self._kinds.clear()
            known = self._kinds[key] = self._kind_of(unit)
        return known

    def _kind_of(self, unit: Evaluated) -> tuple[int, tuple[str, ...]]:
        words = _TOKEN.findall(normalize(unit.words))
        if unit.source in SOURCES_WITHOUT_OBJECT:
            return MOOD_UNIT, tuple(words[:1])  # a smiley: its first bracket places it
        lookup = list(words)
        if len(words) == 1 and unit.source.startswith("lemma ") and words[0] not in self._lemma_of:
            lookup.append(unit.source[6:])  # the tonality table's lemma of a word ours does not know
        # A phrase (or a complaint shape) is mood or a verdict when one of its words is: "не рекомендую".
        if any(word in self._mood for word in lookup):
            return MOOD_UNIT, tuple(words)
        if any(word in self._verdict for word in lookup):
            return VERDICT_UNIT, tuple(words)
        return SPECIFIC, tuple(words)

    def _own_words(self, reading: Reading) -> None:
        """The lexicon's evaluative words the tonality lexicon lacks ("тонкий")."""
        evaluative, norms, covered = self._evaluative, reading.norms, reading.covered
        for index in [i for i, flag in reading.marked if flag & OWN_VALENCE]:
            if not covered[index]:
                self._add(reading, index, evaluative[norms[index]], SPECIFIC)

    def _look_up(self, reading: Reading, valence: Mapping[str, float]) -> None:
        """Every word's valence, when no contributions came with the text (English, scored by VADER)."""
        evaluative, norms = self._evaluative, reading.norms
        for index in [i for i, norm in enumerate(norms) if norm in evaluative or norm in valence]:
            if reading.covered[index] or reading.clause_of[index] < 0:
                continue
            norm = norms[index]
            value = evaluative.get(norm)
            kind = SPECIFIC
            if value is None:
                value = valence[norm]
                kind = (
                    MOOD_UNIT if norm in self._mood else VERDICT_UNIT if norm in self._verdict else SPECIFIC
                )
            self._add(reading, index, value, kind)

    def _add(self, reading: Reading, index: int, value: float, kind: int) -> None:
        if self._negated_before(reading, index):
            value *= NEGATION
        clause = reading.clause_of[index]
        reading.values[clause] += value
        reading.units.setdefault(clause, []).append((index, index + 1, value, kind))
        reading.covered[index] = True

    def _has_content(self, reading: Reading, clause: int) -> bool:
        """Whether a clause has a word that is what it judges ("мешки хорошие", "плохо очищает"): there
        a general verdict is about that thing, and so specific."""
        known = reading.content.get(clause)
        if known is None:
            norms, covered, function_words = reading.norms, reading.covered, self._function_words
            known = any(
                not covered[i] and norms[i] not in function_words and norms[i][0].isalpha()
                for i in range(reading.clause_first[clause], reading.clause_end[clause])
            )
            reading.content[clause] = known
        return known

    # ---------------------------------------------------------------- negation

    def _negated_before(self, reading: Reading, index: int) -> bool:
        return self._negator_before(reading, index) >= 0

    def _negator_before(self, reading: Reading, index: int) -> int:
        """The negator up to WINDOW filler words before index, in its clause ("не порвалось", "без всякого
        запаха"), or -1."""
        grammar, filler, norms, clause_of = self._grammar, self._filler, reading.norms, reading.clause_of
        clause = clause_of[index]
        for back in range(index - 1, max(-1, index - 1 - WINDOW), -1):
            if clause_of[back] != clause:
                return -1
            if norms[back] in grammar.negators:
                if back + 1 == index or norms[back + 1] not in grammar.not_negation_after:
                    return back
                return -1
            if norms[back] not in filler:
                return -1
        return -1

    def _absent_after(self, reading: Reading, end: int) -> int:
        """Named absent after it ("запаха нет", "эффекта ноль", "эффекта не заметила"): the end of the
        words that say so, or -1."""
        grammar, filler, norms, clause_of = self._grammar, self._filler, reading.norms, reading.clause_of
        clause = clause_of[end - 1]
        for ahead in range(end, min(len(norms), end + WINDOW)):
            if clause_of[ahead] != clause:
                return -1
            norm = norms[ahead]
            if norm in grammar.absent_after:
                return ahead + 1
            if norm in grammar.negator_then_exist:
                after = ahead + 1
                if after < len(norms) and clause_of[after] == clause and norms[after] in self._exist:
                    return after + 1
                return -1
            if norm not in filler:
                return -1
        return -1

    def _compared_negated(self, reading: Reading, index: int) -> bool:
        """ "не такой, как на фото", "а не 6, как заявлено": a comparison is negated by a "не" a few
        words before it, across commas and numbers, in its sentence."""
        for back in range(index - 1, max(-1, index - 1 - COMPARISON_WINDOW), -1):
            norm = reading.norms[back]
            if norm in STOP_MARKS:
                return False
            if norm in self._grammar.negators:
                return True
        return False

    def _negation(self, reading: Reading, match: Match) -> tuple[int, int] | None:
        """The words of a cue with its negation ("не маломерит", "запаха нет"), or None when it is not
        negated."""
        norms, grammar, index, end = reading.norms, self._grammar, match[3], match[4]
        first = norms[index]
        if first in grammar.negators:
            return None  # the cue carries its own negation: "не тот", "без повреждений"
        # Most cues stand beside no negator and no filler: decided by the two neighbours alone.
        before = norms[index - 1] if index else ""
        after = norms[end] if end < len(norms) else ""
        if before in grammar.negators or before in self._filler:
            negator = self._negator_before(reading, index)
            if negator >= 0:
                return negator, end
        if after in self._negation_after or after in self._filler:
            absent = self._absent_after(reading, end)
            if absent >= 0:
                return index, absent
        if first in grammar.comparison and self._compared_negated(reading, index):
            return index, end
        return None

    # ---------------------------------------------------------------- polarity

    def _judgement(self, reading: Reading, match: Match) -> tuple[str, float, list[Unit]]:
        """The sign and strength of the evaluation of a cue's words, and the units that gave it: its
        clause's evaluative words near it (within NEAR tokens), else the rest of the clause's, else
        those of the evaluative clauses going on after it in its sentence ("Доставка: быстрая")."""
        first, end = match[3], match[4]
        clause = reading.clause_of[first]
        # The cue's own words do not judge it: "аромат" is pleasant in the tonality lexicon, yet
        # "слишком выраженный аромат" is a complaint.
        units_here = reading.units.get(clause, [])
        others = units_here
        if match[1] != SELLER:
            others = [u for u in units_here if not (first <= u[0] and u[1] <= end)]
        near = [u for u in others if first - NEAR <= u[0] < end + NEAR]
        units = near if abs(sum(u[2] for u in near)) >= EPSILON else others
        value = sum(u[2] for u in units)
        following = clause + 1
        while abs(value) < EPSILON and following < len(reading.values):
            if (
                reading.sentence[following] != reading.sentence[clause]
                or reading.opens[following]
                or following in reading.named
                or self._has_content(reading, following)
            ):
                break
            units, value = reading.units.get(following, []), reading.values[following]
            if abs(value) >= EPSILON:
                reading.judged.add(following)  # its words judged the cue; they are not quality too
            following += 1
        if value >= EPSILON:
            return "+", value, units
        if value <= -EPSILON:
            return "-", -value, units
        return "", 0.0, []

    def _mention(self, reading: Reading, match: Match) -> Found | None:
        """What one cue says of its topic here, or None when it names nothing here."""
        topic, polarity, absent, first, last, rest = match
        negation = self._negation(reading, match)
        negated = negation is not None
        # The evidence shows the negation: "не маломерит", "без некоторых страз", "запаха нет".
        start, end = negation or (first, last)
        clause = reading.clause_of[first]
        for part in rest:  # the evidence shows every part: "пришёл очень быстро", "на фото ярче"
            at = self._where(reading, clause, part, first, last)
            if at >= 0:
                start, end = min(start, at), max(end, at + len(part))
        if negated and absent != ".":
            sign = absent
        elif polarity in FLIP:
            sign = FLIP[polarity] if negated else polarity
        elif polarity == "x":
            return None
        else:
            judged, strength, units = self._judgement(reading, match)
            if judged:
                start = min(start, *(u[0] for u in units))
                end = max(end, *(u[1] for u in units))
                return topic, judged, start, end, clause, strength
            sign = DEFAULT_SIGN.get(polarity, "")
            if not sign:
                return None
            return topic, sign, start, end, clause, DEFAULT if sign != "0" else 0.0
        return topic, sign, start, end, clause, FIXED if sign != "0" else 0.0

    def _by_evaluation(self, reading: Reading) -> list[Found]:
        """Clauses that name no topic but evaluate something in particular: quality (the product itself)."""
        extra: list[Found] = []
        named = reading.named
        for clause, units in reading.units.items():
            if clause in named or clause in reading.judged:
                continue
            specific = [u for u in units if u[3] == SPECIFIC]
            if len(specific) < len(units):
                if any(u[3] == VERDICT_UNIT for u in units) and self._has_content(reading, clause):
                    specific = [u for u in units if u[3] != MOOD_UNIT]
                if not specific:
                    continue
            evidence = sum(u[2] for u in specific)
            if abs(evidence) < EPSILON:
                continue
            value = reading.values[clause] if abs(reading.values[clause]) >= EPSILON else evidence
            first, end = min(u[0] for u in specific), max(u[1] for u in specific)
            extra.append(("quality", "+" if value > 0 else "-", first, end, clause, abs(value)))
        return extra


def _precedence(cue: Cue) -> int:
    """Longer first parts first (a longer neutralizer or cue takes its words first)."""
    return -len(cue.parts[0])


def _longest_first(cue: Compiled) -> tuple[int, int]:
    """Longer first parts first, then cues of more parts: the more a cue asks, the more it says."""
    return -cue[4], -len(cue[5])


def _outermost(matches: list[Match]) -> list[Match]:
    """The matches not inside a longer match of the same topic: "похоже на оригинал" is one mention,
    not also "оригинал"; the same words matched twice for one topic count once."""
    spans: dict[str, set[tuple[int, int]]] = {}
    for topic, _, _, first, end, _ in matches:
        spans.setdefault(topic, set()).add((first, end))
    kept: list[Match] = []
    seen: set[tuple[str, int, int]] = set()
    for match in matches:
        topic, _, _, first, end, _ = match
        if (topic, first, end) in seen or any(
            low <= first and end <= high and (low, high) != (first, end) for low, high in spans[topic]
        ):
            continue
        seen.add((topic, first, end))
        kept.append(match)
    return kept


def _suppressed(found: list[Found]) -> list[Found]:
    if not any(mention[0] in SUPPRESSES for mention in found):
        return found
    by_clause: dict[int, set[str]] = {}
    for mention in found:
        by_clause.setdefault(mention[4], set()).add(mention[0])
    return [
        mention
        for mention in found
        if not any(mention[0] in SUPPRESSES.get(other, ()) for other in by_clause[mention[4]])
    ]


def _one_per_topic(found: list[Found], text: str, reading: Reading) -> tuple[TopicMention, ...]:
    chosen = found
    if len(found) > 1:
        by_topic: dict[str, list[Found]] = {}
        for mention in found:
            by_topic.setdefault(mention[0], []).append(mention)
        if len(by_topic) < len(found):
            chosen = [
                mentions[0] if len(mentions) == 1 else _verdict(mentions) for mentions in by_topic.values()
            ]
        chosen.sort(key=_first_token)
    # Character offsets, as far as the last token a mention shows.
    starts: list[int] = []
    add, find, position, norms = starts.append, reading.lowered.find, 0, reading.norms
    for norm in norms[: max(m[3] for m in chosen)]:
        position = find(norm, position)
        add(position)
        position += len(norm)
    result: list[TopicMention] = []
    for topic, sign, first, end, _, _ in chosen:
        start, stop = starts[first], starts[end - 1] + len(norms[end - 1])
        result.append(TopicMention(topic, LABEL[sign], text[start:stop], start, stop))
    return tuple(result)


def _verdict(mentions: list[Found]) -> Found:
    """One topic's several mentions summed, complaints counting double; the first that says so shows it."""
    mentions.sort(key=_first_token)
    signed = [m for m in mentions if m[1] != "0"]
    if not signed:
        return mentions[0]
    total = sum(-m[5] * NEGATIVE_WEIGHT if m[1] == "-" else m[5] for m in signed)
    sign = "+" if total > 0 else "-"
    return next((m for m in signed if m[1] == sign), signed[0])


def _first_token(mention: Found) -> int:
    return mention[2]
