"""The Russian tonality engine: VADER's method (valences summed with rules, then normalized) over our lexicon.

The rules, in the order they act on each evaluative word or phrase:
- lookup: a word form finds its lemma in the generated table (every form of every lemma), ё as е;
  multiword expressions are matched first, longest first, on lemmas (commas inside allowed), and
  replace their words;
  stretched words ("супеееер") are tried with the stretch removed; Latin words take VADER's valence,
  so texts mixing Russian and English are scored by both lexicons;
- intensity: a booster or dampener up to three words before adds to the strength (decaying with
  distance); an adverb that is both evaluative and an intensifier ("ужасно удобно") only intensifies
  when an evaluative word follows it; a word in capitals in a text that is not all capitals is
  stronger;
- negation: a negator (не, ни, нет, без, никогда...) up to three words before a word, in the same
  clause, flips and weakens its valence (x -0.74); so does "нет" or "не было" right after it
  ("аромата нет", "проблем не было"); a booster between negator and word softens instead
  ("не очень удобно"); "не только" and "чуть не" (almost) are no negation; phrases, smileys and
  emoji are never negated (a phrase is an idiom: "не выбрасывайте деньги на ветер" stays a
  complaint), and a phrase of rule words alone ("не очень") yields to the word it precedes;
- complaint shapes: не/ни right before a verb form the lexicon does not know is a failure
  ("не держится", "не налезает": -0.6); слишком/чересчур before a plain word is an excess
  ("слишком мелкий": -1.0);
- contrast, within a sentence: what precedes its last но, однако or зато counts half and what follows
  one and a half; a sentence that opens with one ("Зато ...") also halves the sentence before;
  after хотя, the rest of its clause counts half;
- emphasis: up to four "!" add to the total's strength, as do several "?";
- smileys: bracket runs left over once real parentheses are matched, ")))" positive and "(((" negative,
  stronger the longer; emoticons such as ":)" and ":(" and emoji have valences of their own.
The total s becomes the compound s / sqrt(s^2 + 15), in -1..1, as in VADER.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from otklik.domain.tonality.lexicon_table import Lexicon, RuleWord, normalize

NEGATION_SCALAR = -0.74
CAPS_INCREMENT = 0.733
BOOSTER_DECAY = (1.0, 0.95, 0.9)
BEFORE_CONTRAST = 0.5
EXCLAMATION_STEP = 0.292
QUESTION_STEP = 0.18
NORMALIZATION_ALPHA = 15.0
NEGATIVE_WEIGHT = 1.0
NEGATED_ACTION = -0.8
EXCESS = -1.0
EXCESS_WORDS = frozenset({"слишком", "чересчур", "too"})
PLAIN_NEGATORS = frozenset({"не", "ни"})
SHAPE_OPENERS = PLAIN_NEGATORS | EXCESS_WORDS
ALMOST = frozenset({"чуть", "едва", "чуть-чуть"})
BEING = frozenset({"было", "будет", "бывает", "бывало"})
CLAUSE_TAIL = frozenset(
    {
        "вообще",
        "совсем",
        "никакого",
        "никакой",
        "никаких",
        "абсолютно",
        "совершенно",
        "и",
        "а",
        "но",
        "у",
        "в",
    }
)
WINDOW = 3

# Valences of emoticons and emoji: ours, on the lexicon's -4..4 scale.
EMOTICONS: Mapping[str, float] = {
    ":)": 1.5,
    ":-)": 1.5,
    "=)": 1.5,
    ":]": 1.3,
    ":d": 2.0,
    ":-d": 2.0,
    "xd": 1.8,
    ";)": 1.2,
    ";-)": 1.2,
    ":(": -1.8,
    ":-(": -1.8,
    "=(": -1.8,
    ":'(": -2.2,
    ":/": -0.8,
    ":-/": -0.8,
    ":|": -0.4,
}
EMOJI: Mapping[str, float] = {
    "😀": 1.8,
    "😃": 1.8,
    "😄": 1.9,
    "😁": 1.8,
    "😊": 1.9,
    "🙂": 1.0,
    "😉": 1.0,
    "😍": 2.8,
    "🥰": 2.6,
    "😘": 2.0,
    "🤩": 2.6,
    "😂": 1.2,
    "🤣": 1.2,
    "😎": 1.3,
    "👍": 1.9,
    "👌": 1.6,
    "👏": 1.8,
    "💪": 1.2,
    "🔥": 2.2,
    "💯": 2.0,
    "❤": 2.4,
    "♥": 2.2,
    "💖": 2.4,
    "💕": 2.2,
    "😻": 2.2,
    "🙏": 1.3,
    "✅": 0.8,
    "⭐": 1.2,
    "🌟": 1.4,
    "🎉": 1.8,
    "🥳": 2.0,
    "💣": 1.0,
    "😡": -2.8,
    "😠": -2.4,
    "🤬": -3.2,
    "👎": -2.2,
    "😢": -1.9,
    "😭": -2.2,
    "😞": -1.9,
    "😔": -1.6,
    "🙁": -1.3,
    "☹": -1.6,
    "😕": -1.1,
    "😟": -1.4,
    "😩": -1.9,
    "😫": -1.9,
    "😤": -1.8,
    "😒": -1.4,
    "🙄": -1.1,
    "😱": -1.6,
    "🤮": -3.0,
    "🤢": -2.4,
    "💩": -2.6,
    "❌": -1.1,
    "🤡": -1.7,
    "😬": -0.8,
}
SMILEY_VALENCE = (1.2, 1.6, 2.0)  # one, two, three or more brackets

# A real parenthesis opens after a space or the start, not right after a bracket or an emoticon's eyes,
# and closes without another bracket next to it: "((" and "))" are always smileys.
_PARENTHESES = re.compile(r"(?<![(:;=])\((?![(\s])([^()\n]{1,200}?)(?<![\s:;=])\)(?!\))")
_TOKEN = re.compile(
    r"(?P<emoticon>(?<![)(:;=])(?:[:;=]['\-]?[)(\]dDpP/|]|(?<!\w)[xX][dD])(?!\w))"
    r"|(?P<smile>\)+|\(+)"
    r"|(?P<word>[^\W\d_]+(?:-[^\W\d_]+)*)"
    r"|(?P<number>\d+)"
    r"|(?P<punct>[!?]+|[.…;:,—–\n]+)"
    r"|(?P<emoji>[\u2600-\u27BF\u2B50\U0001F300-\U0001FAFF])",
)
# Finite verb forms and infinitives by their endings (present/future, past, reflexive, infinitive):
# enough to tell "не держится" from "не только" without morphology at run time.
_VERB_FORM = re.compile(r"^[а-я-]{2,}(?:[еиуюаяё]т|[еиё]шь|[ую]т|[ая]т|л|ла|ло|ли|ть|ти|чь)(?:ся|сь)?$")
# Words with verb-like endings that are no failure when negated: "проблем не было", "не мало".
NOT_ACTIONS = frozenset(
    {
        "был",
        "была",
        "было",
        "были",
        "быть",
        "будет",
        "будут",
        "мало",
        "много",
        "тепло",
        "светло",
        "зло",
        "пошло",
    }
)
_ADDRESSES = re.compile(r"(?:https?://|www\.)\S+|@\w+")
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")
# Any character three times: a cheap first test (the letter-only search above is slow to fail).
_TRIPLE = re.compile(r"(.)\1\1", re.DOTALL)
_SENTENCE_END = frozenset(".!?…;\n")


WORD = "word"
PUNCT = "punct"
# Norms that negate the word before them ("аромата нет", "проблем не было"): with neither these nor a
# negator in a text, no unit can be negated and the negation checks are skipped.
NEGATING_AFTER = frozenset({"нет", "нету", "не"})

Rules = list["RuleWord | None"]  # the rule word of each token, looked up once per text


class Token(NamedTuple):
    text: str
    norm: str
    kind: str  # word | number | punct | smile | emoticon | emoji
    stretched: bool = False  # a letter repeated three times or more ("супеееер")


class Tokens:
    """A text's tokens as parallel lists, index by index: scoring is the hot path, and lists cost
    less to build and read than a tuple per token."""

    __slots__ = ("clean", "kinds", "norms", "stretched", "texts")

    def __init__(
        self, texts: list[str], norms: list[str], kinds: list[str], stretched: list[bool] | None, clean: str
    ) -> None:
        self.texts = texts
        self.norms = norms
        self.kinds = kinds  # word | number | punct | smile | emoticon | emoji
        # Whether each token has a letter repeated three times or more ("супеееер"); None when no
        # token has (the usual case).
        self.stretched = stretched
        self.clean = clean  # the text the tokens were read from, once cleaned up

    def is_stretched(self, index: int) -> bool:
        return self.stretched is not None and self.stretched[index]


@dataclass
class Contribution:
    """One evaluative unit and what the rules did to it, for explain."""

    words: str
    source: str
    base: float
    value: float
    start: int
    end: int
    steps: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RussianScore:
    compound: float
    total: float
    contributions: tuple[Contribution, ...]
    uses_english: bool
    # The text's tokens as scored, for the learned layer's features (no second tokenizing).
    tokens: Tokens | None = field(default=None, compare=False, repr=False)


def _scan(text: str) -> Tokens:
    # URLs, @handles and HTML entities carry no tonality (and "http://" must not read as ":/");
    # a #tag's word does ("#бойкот"), so only its "#" goes. Each clean-up runs only when needed.
    if "&" in text:
        text = html.unescape(text)
    if "@" in text or "http" in text or "www." in text:
        text = _ADDRESSES.sub(" ", text)
    if "#" in text:
        text = text.replace("#", " ")
    # Matched parentheses are punctuation, not smileys: "(см. фото)" must not read as "(" and ")".
    if "(" in text and ")" in text:
        previous = None
        while previous != text:
            previous, text = text, _PARENTHESES.sub(r" \1 ", text)
    lowered = normalize(text)
    texts: list[str] = []
    norms: list[str] = []
    kinds: list[str] = []
    add_text, add_norm, add_kind = texts.append, norms.append, kinds.append
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        add_text(text[start:end])
        add_norm(lowered[start:end])
        add_kind(match.lastgroup or PUNCT)
    if len(lowered) != len(text):  # a rare letter whose lowercase is longer: normalize token by token
        norms = [normalize(raw) for raw in texts]
    stretched = None
    if _TRIPLE.search(text) and _STRETCH.search(text):
        stretched = [_STRETCH.search(norm) is not None for norm in norms]
    return Tokens(texts, norms, kinds, stretched, text)


def tokenize(text: str) -> list[Token]:
    tokens = _scan(text)
    stretched = tokens.stretched or [False] * len(tokens.texts)
    return list(map(Token._make, zip(tokens.texts, tokens.norms, tokens.kinds, stretched, strict=True)))


class RussianEngine:
    def __init__(self, lexicon: Lexicon, english_valence: Callable[[], Mapping[str, float]]) -> None:
        self._lexicon = lexicon
        self._english_valence = english_valence
        self._phrase_starts = frozenset(words[0] for words in lexicon.phrases)
        self._phrase_pairs = frozenset(words[:2] for words in lexicon.phrases)
        # Every beginning of every phrase: a candidate stops growing as soon as no phrase begins so.
        self._phrase_prefixes = frozenset(
            words[:length] for words in lexicon.phrases for length in range(2, len(words) + 1)
        )
        self._phrases = dict(lexicon.phrases)
        # Plain dicts for the hot path (the lexicon's read-only views are slower to query).
        self._lemma_of = dict(lexicon.lemma_of)
        self._valence = dict(lexicon.valence)
        self._rules = dict(lexicon.rules)

    def _lemma(self, norm: str, stretched: bool = False) -> str | None:
        lemma = self._lemma_of.get(norm)
        if lemma is None and stretched:
            for squeezed in (_STRETCH.sub(r"\1", norm), _STRETCH.sub(r"\1\1", norm)):
                lemma = self._lemma_of.get(squeezed)
                if lemma is not None:
                    break
        if lemma is None:
            lemma = next((f"{p}*" for p in self._lexicon.prefixes if norm.startswith(p)), None)
        return lemma

    def _rule(self, norm: str, stretched: bool) -> RuleWord | None:
        """The rule word a word token is (never a token of another kind)."""
        rule = self._rules.get(norm)
        if rule is None and stretched:
            rule = self._rules.get(_STRETCH.sub(r"\1", norm))
        return rule

    def _lookup(self, tokens: Tokens) -> tuple[list[str | None], Rules]:
        """Each token's lemma and rule word; plain dictionary look-ups unless a text needs more."""
        norms, kinds = tokens.norms, tokens.kinds
        lemma_of, rule_of = self._lemma_of.get, self._rules.get
        lemmas = [lemma_of(norm) if kind == WORD else None for norm, kind in zip(norms, kinds, strict=True)]
        rules: Rules = [
            rule_of(norm) if kind == WORD else None for norm, kind in zip(norms, kinds, strict=True)
        ]
        # A stretched word or an override prefix needs the full look-up, only for the words missed.
        if tokens.stretched is not None or self._lexicon.prefixes:
            for i, kind in enumerate(kinds):
                if kind == WORD:
                    stretched = tokens.is_stretched(i)
                    if lemmas[i] is None:
                        lemmas[i] = self._lemma(norms[i], stretched)
                    if rules[i] is None:
                        rules[i] = self._rule(norms[i], stretched)
        return lemmas, rules

    @staticmethod
    def _only_rule_words(unit: Contribution, kinds: list[str], rules: Rules) -> bool:
        return unit.source == "phrase" and all(
            rules[k] is not None for k in range(unit.start, unit.end) if kinds[k] == WORD
        )

    def _complaint_shape(self, tokens: Tokens, i: int) -> Contribution | None:
        """A plain word that complains by its company: "не держится" (failure), "слишком мелкий" (excess)."""
        norm, previous = tokens.norms[i], tokens.norms[i - 1]
        if norm in self._rules or norm in NOT_ACTIONS:
            return None
        if previous in PLAIN_NEGATORS and _VERB_FORM.match(norm):
            value, source = NEGATED_ACTION, "negated action"
        elif previous in EXCESS_WORDS:
            value, source = EXCESS, "excess"
        else:
            return None
        # The unit starts at the previous word, so no rule applies that word to it a second time.
        words = f"{tokens.texts[i - 1]} {tokens.texts[i]}"
        return Contribution(words, source, value, value, i - 1, i + 1)

    def _units(self, tokens: Tokens, lemmas: list[str | None]) -> tuple[list[Contribution], bool]:
        units: list[Contribution] = []
        uses_english = False
        valence = self._valence
        phrase_starts, phrase_pairs = self._phrase_starts, self._phrase_pairs
        texts, norms, kinds = tokens.texts, tokens.norms, tokens.kinds
        i, n = 0, len(texts)
        while i < n:
            kind = kinds[i]
            if kind == WORD:
                lemma = lemmas[i]
                if lemma in phrase_starts:
                    j = i + 1  # the next word, past commas
                    while j < n and texts[j] == ",":
                        j += 1
                    # Most words that can start a phrase do not start one here: the pair tells.
                    if j < n and (lemma, lemmas[j]) in phrase_pairs:
                        matched = self._phrase_at(i, j, tokens, lemmas)
                        if matched is not None:
                            units.append(matched)
                            i = matched.end
                            continue
                value = valence.get(lemma) if lemma is not None else None
                source = f"lemma {lemma}"
                if value is None and norms[i].isascii():
                    value = self._english_valence().get(norms[i])
                    source = "english"
                    uses_english = uses_english or value is not None
                if value is None and i > 0 and norms[i - 1] in SHAPE_OPENERS:
                    shape = self._complaint_shape(tokens, i)
                    if shape is not None:
                        units.append(shape)
                        i += 1
                        continue
                if value is not None:
                    units.append(Contribution(texts[i], source, value, value, i, i + 1))
            elif kind == "emoji":
                value = EMOJI.get(texts[i].rstrip("\ufe0f"))
                if value is not None:
                    units.append(Contribution(texts[i], "emoji", value, value, i, i + 1))
            elif kind == "emoticon":
                value = EMOTICONS.get(norms[i])
                if value is not None:
                    units.append(Contribution(texts[i], "emoticon", value, value, i, i + 1))
            elif kind == "smile":
                raw = texts[i]
                strength = SMILEY_VALENCE[min(len(raw), 3) - 1]
                value = strength if raw[0] == ")" else -strength
                units.append(Contribution(raw, "brackets", value, value, i, i + 1))
            i += 1
        return units, uses_english

    def _phrase_at(self, i: int, j: int, tokens: Tokens, lemmas: list[str | None]) -> Contribution | None:
        """The longest phrase starting at token i, whose next word is token j; commas inside it are
        allowed ("то, что надо")."""
        texts, kinds = tokens.texts, tokens.kinds
        n = len(texts)
        positions = [i]
        key: tuple[str | None, ...] = (lemmas[i],)
        while j < n and len(positions) < self._lexicon.max_phrase_words:
            if kinds[j] == WORD and lemmas[j] is not None:
                longer = (*key, lemmas[j])
                if longer not in self._phrase_prefixes:
                    break  # no phrase is longer than this one here
                key = longer
                positions.append(j)
            elif texts[j] != ",":
                break
            j += 1
        for length in range(len(positions), 1, -1):
            value = self._phrases.get(key[:length])  # type: ignore[arg-type]
            if value is not None:
                end = positions[length - 1] + 1
                words = " ".join(texts[k] for k in range(i, end) if kinds[k] == WORD)
                return Contribution(words, "phrase", value, value, i, end)
        return None

    def _split_unknown_compounds(self, tokens: Tokens) -> Tokens:
        """ "слово-гадость", "вообще-то": a hyphenated word the lexicon does not know is read as its parts."""
        texts: list[str] = []
        norms: list[str] = []
        kinds: list[str] = []
        stretched: list[bool] = []
        for i, (raw, norm, kind) in enumerate(zip(tokens.texts, tokens.norms, tokens.kinds, strict=True)):
            if (
                kind == WORD
                and "-" in norm
                and self._lemma(norm) is None
                and self._rule(norm, tokens.is_stretched(i)) is None
            ):
                for part in raw.split("-"):
                    if part:
                        texts.append(part)
                        norms.append(normalize(part))
                        kinds.append(WORD)
                        stretched.append(False)
            else:
                texts.append(raw)
                norms.append(norm)
                kinds.append(kind)
                stretched.append(tokens.is_stretched(i))
        return Tokens(texts, norms, kinds, stretched if tokens.stretched is not None else None, tokens.clean)

    def score(self, text: str) -> RussianScore:
        tokens = _scan(text)
        if "-" in text:
            tokens = self._split_unknown_compounds(tokens)
        texts, kinds = tokens.texts, tokens.kinds
        lemmas, rules = self._lookup(tokens)
        present = {rule.kind for rule in rules if rule is not None}
        units, uses_english = self._units(tokens, lemmas)
        word_starts = {u.start for u in units if kinds[u.start] == WORD}
        # "не очень" is a verdict alone ("так себе"), but before a word it is a softened negation:
        # "не очень хорошо" is scored by the rules, not as the phrase plus a negated "хорошо".
        units = [u for u in units if not (u.end in word_starts and self._only_rule_words(u, kinds, rules))]
        # A negator inside a phrase is spent on it: in "без проблем работает" the "без" belongs to
        # "без проблем" and does not negate "работает".
        for unit in units:
            if unit.source == "phrase":
                for index in range(unit.start, unit.end):
                    rule = rules[index]
                    if rule is not None and rule.kind == "negator":
                        rules[index] = None
        # Capitals stress a word only in a text that is not all capitals.
        shouting = any(texts[u.start].isupper() for u in units) and any(
            kind == WORD and len(word) > 1 and not word.isupper()
            for word, kind in zip(texts, kinds, strict=True)
        )
        # Rules that cannot apply to this text are skipped: without a booster or dampener, and
        # without capitals, intensity changes nothing; without a negator (before a word) or a
        # "нет"/"не" (after one), nothing is negated.
        intensifying = shouting or "booster" in present or "dampener" in present
        negating = "negator" in present or not NEGATING_AFTER.isdisjoint(tokens.norms)
        kept: list[Contribution] = []
        for unit in units:
            rule = rules[unit.start] if unit.end - unit.start == 1 else None
            if rule is not None and rule.kind == "booster" and unit.end in word_starts:
                continue  # "ужасно удобно": the adverb intensifies the next word instead of counting itself
            if kinds[unit.start] == WORD:  # smileys and emoji carry their own strength and sign
                negator = self._negator_before(unit, tokens, rules) if negating else None
                if intensifying:
                    self._intensify(unit, tokens, rules, shouting, negator)
                if negator is not None:
                    unit.value *= NEGATION_SCALAR
                    unit.steps.append(f"negated by {texts[negator]!r} x{NEGATION_SCALAR}")
            kept.append(unit)
        if "contrast" in present or "concession" in present:
            self._weigh_contrast(kept, tokens, rules)
        if NEGATIVE_WEIGHT != 1.0:
            for unit in kept:
                if unit.value < 0:
                    unit.value *= NEGATIVE_WEIGHT
                    unit.steps.append(f"negativity x{NEGATIVE_WEIGHT}")
        total = sum(u.value for u in kept)
        total = self._emphasize(total, tokens.clean)
        compound = total / math.sqrt(total * total + NORMALIZATION_ALPHA) if total else 0.0
        return RussianScore(round(compound, 4), total, tuple(kept), uses_english, tokens)

    @staticmethod
    def _intensify(
        unit: Contribution, tokens: Tokens, rules: Rules, shouting: bool, negator: int | None
    ) -> None:
        sign = 1.0 if unit.value > 0 else -1.0
        kinds = tokens.kinds
        for distance in range(1, WINDOW + 1):
            index = unit.start - distance
            if index < 0 or kinds[index] == PUNCT:  # punctuation ends the clause
                break
            rule = rules[index]
            if rule is not None and rule.kind in ("booster", "dampener"):
                change = sign * rule.value * BOOSTER_DECAY[distance - 1]
                if negator is not None and negator < index < unit.start:
                    change = -change  # "не очень удобно" is less, not more: the negated booster softens
                unit.value += change
                unit.steps.append(f"{rule.kind} {tokens.texts[index]!r} {change:+.2f}")
        word = tokens.texts[unit.start]
        if shouting and len(word) > 1 and word.isupper():
            unit.value += sign * CAPS_INCREMENT
            unit.steps.append(f"capitals {sign * CAPS_INCREMENT:+.2f}")

    def _negator_before(self, unit: Contribution, tokens: Tokens, rules: Rules) -> int | None:
        """Index of the negator that negates unit: up to three words before it in its clause, or after it."""
        if unit.source == "phrase":
            return None  # a phrase is an idiom with its own sense: "не выбрасывайте деньги на ветер"
        kinds, norms = tokens.kinds, tokens.norms
        for distance in range(1, WINDOW + 1):
            index = unit.start - distance
            if index < 0 or kinds[index] == PUNCT:  # punctuation ends the clause
                break
            rule = rules[index]
            if rule is None or rule.kind != "negator":
                continue
            following = norms[index + 1] if index + 1 < len(norms) else ""
            if following == "только" or self._almost(norms, index):
                continue
            return index
        return self._negator_after(unit, tokens)

    @staticmethod
    def _almost(norms: list[str], index: int) -> bool:
        """ "чуть (было) не сломалась", "едва не": it almost happened, which is no negation."""
        before = norms[max(0, index - 2) : index]
        return bool(before) and (before[-1] in ALMOST or before[-2:] in (["чуть", "было"], ["едва", "было"]))

    @staticmethod
    def _negator_after(unit: Contribution, tokens: Tokens) -> int | None:
        """Russian also negates after the noun: "аромата нет", "проблем не было", "претензий нету"."""
        kinds, norms = tokens.kinds, tokens.norms
        n = len(norms)
        index = unit.end
        # One word may stand between: a filler ("аромата вообще нет") or the noun's own complement
        # ("аромата розы нет").
        if index + 1 < n and kinds[index] == WORD and norms[index + 1] in ("нет", "нету", "не"):
            index += 1
        if index >= n or kinds[index] != WORD:
            return None
        if norms[index] in ("нет", "нету"):
            end = index + 1
        elif norms[index] == "не" and index + 1 < n and norms[index + 1] in BEING:
            end = index + 2
        else:
            return None
        # The negation must close the clause: in "хорошее, нет слов" the "нет" belongs to another idiom.
        if end < n and kinds[end] == WORD and norms[end] not in CLAUSE_TAIL:
            return None
        return index

    @staticmethod
    def _weigh_contrast(units: list[Contribution], tokens: Tokens, rules: Rules) -> None:
        """Contrast works within a sentence; a sentence opening with one discounts the sentence before."""
        texts, kinds = tokens.texts, tokens.kinds
        sentences: list[tuple[int, int]] = []
        start = 0
        for index, kind in enumerate(kinds):
            if kind == PUNCT and texts[index][0] in _SENTENCE_END:
                sentences.append((start, index))
                start = index + 1
        sentences.append((start, len(kinds)))

        def weigh(low: int, high: int, factor: float, why: str) -> None:
            for unit in units:
                if low <= unit.start < high:
                    unit.value *= factor
                    unit.steps.append(f"{why} x{factor}")

        for number, (low, high) in enumerate(sentences):
            contrast: tuple[int, RuleWord] | None = None
            for index in range(low, high):
                rule = rules[index]
                if rule is None:
                    continue
                if rule.kind == "contrast":
                    contrast = (index, rule)
                elif rule.kind == "concession":
                    # The rest of the clause: up to the next punctuation.
                    end = next((j for j in range(index + 1, high) if kinds[j] == PUNCT), high)
                    weigh(index + 1, end, rule.value, f"after {texts[index]!r}")
            if contrast is None:
                continue
            at, rule = contrast
            word = texts[at]
            if at == low and number > 0:
                weigh(*sentences[number - 1], BEFORE_CONTRAST, f"before {word!r}")
            weigh(low, at, BEFORE_CONTRAST, f"before {word!r}")
            weigh(at + 1, high, rule.value, f"after {word!r}")

    @staticmethod
    def _emphasize(total: float, clean: str) -> float:
        if not total:
            return total
        # Every "!" and "?" of the cleaned text is in a punctuation token: no other token kind has them.
        exclamations = clean.count("!")
        questions = clean.count("?")
        boost = min(exclamations, 4) * EXCLAMATION_STEP
        if questions > 1:
            boost += min(questions * QUESTION_STEP, 0.96)
        return total + math.copysign(boost, total)
