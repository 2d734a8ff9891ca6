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

from otklik.tonality.lexicon_table import Lexicon, RuleWord, normalize

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
_SENTENCE_END = frozenset(".!?…;\n")


Rules = list["RuleWord | None"]  # the rule word of each token, looked up once per text


class Token(NamedTuple):
    text: str
    norm: str
    kind: str  # word | number | punct | smile | emoticon | emoji
    stretched: bool = False  # a letter repeated three times or more ("супеееер")


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


def tokenize(text: str) -> list[Token]:
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
    if len(lowered) != len(text):  # a rare letter whose lowercase is longer: normalize token by token
        lowered = ""
    stretched = _STRETCH.search(text) is not None
    make = tuple.__new__  # a NamedTuple without its Python-level constructor: tokenizing is the hot path
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        raw = text[start:end]
        norm = lowered[start:end] if lowered else normalize(raw)
        append(
            make(Token, (raw, norm, match.lastgroup or "punct", stretched and bool(_STRETCH.search(norm))))
        )
    return tokens


def _clause_boundary(token: Token) -> bool:
    return token.kind == "punct"


class RussianEngine:
    def __init__(self, lexicon: Lexicon, english_valence: Callable[[], Mapping[str, float]]) -> None:
        self._lexicon = lexicon
        self._english_valence = english_valence
        self._phrase_starts = frozenset(words[0] for words in lexicon.phrases)
        self._phrase_pairs = frozenset(words[:2] for words in lexicon.phrases)
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

    @staticmethod
    def _only_rule_words(unit: Contribution, tokens: list[Token], rules: Rules) -> bool:
        return unit.source == "phrase" and all(
            rules[k] is not None for k in range(unit.start, unit.end) if tokens[k].kind == "word"
        )

    def _complaint_shape(self, previous: Token, token: Token, i: int) -> Contribution | None:
        """A plain word that complains by its company: "не держится" (failure), "слишком мелкий" (excess)."""
        if token.norm in self._lexicon.rules or token.norm in NOT_ACTIONS:
            return None
        if previous.norm in PLAIN_NEGATORS and _VERB_FORM.match(token.norm):
            value, source = NEGATED_ACTION, "negated action"
        elif previous.norm in EXCESS_WORDS:
            value, source = EXCESS, "excess"
        else:
            return None
        # The unit starts at the previous word, so no rule applies that word to it a second time.
        return Contribution(f"{previous.text} {token.text}", source, value, value, i - 1, i + 1)

    def _rule(self, token: Token) -> RuleWord | None:
        if token.kind != "word":
            return None
        rule = self._rules.get(token.norm)
        if rule is None and token.stretched:
            rule = self._rules.get(_STRETCH.sub(r"\1", token.norm))
        return rule

    def _units(self, tokens: list[Token], lemmas: list[str | None]) -> tuple[list[Contribution], bool]:
        units: list[Contribution] = []
        uses_english = False
        valence = self._valence
        phrase_starts = self._phrase_starts
        i, n = 0, len(tokens)
        while i < n:
            token = tokens[i]
            if token.kind == "word":
                matched = self._phrase_at(i, tokens, lemmas) if lemmas[i] in phrase_starts else None
                if matched is not None:
                    units.append(matched)
                    i = matched.end
                    continue
                lemma = lemmas[i]
                value = valence.get(lemma) if lemma is not None else None
                source = f"lemma {lemma}"
                if value is None and token.norm.isascii():
                    value = self._english_valence().get(token.norm)
                    source = "english"
                    uses_english = uses_english or value is not None
                if value is None and i > 0 and tokens[i - 1].norm in SHAPE_OPENERS:
                    shape = self._complaint_shape(tokens[i - 1], token, i)
                    if shape is not None:
                        units.append(shape)
                        i += 1
                        continue
                if value is not None:
                    units.append(Contribution(token.text, source, value, value, i, i + 1))
            elif token.kind == "emoji":
                value = EMOJI.get(token.text.rstrip("\ufe0f"))
                if value is not None:
                    units.append(Contribution(token.text, "emoji", value, value, i, i + 1))
            elif token.kind == "emoticon":
                value = EMOTICONS.get(token.norm)
                if value is not None:
                    units.append(Contribution(token.text, "emoticon", value, value, i, i + 1))
            elif token.kind == "smile":
                strength = SMILEY_VALENCE[min(len(token.text), 3) - 1]
                value = strength if token.text[0] == ")" else -strength
                units.append(Contribution(token.text, "brackets", value, value, i, i + 1))
            i += 1
        return units, uses_english

    def _phrase_at(self, i: int, tokens: list[Token], lemmas: list[str | None]) -> Contribution | None:
        """The longest phrase starting at token i; commas inside it are allowed ("то, что надо")."""
        n = len(tokens)
        j = i + 1
        while j < n and tokens[j].text == ",":
            j += 1
        if j >= n or (lemmas[i], lemmas[j]) not in self._phrase_pairs:
            return None  # most words that can start a phrase do not start one here
        positions = [i]
        while j < n and len(positions) < self._lexicon.max_phrase_words:
            token = tokens[j]
            if token.kind == "word" and lemmas[j] is not None:
                positions.append(j)
            elif token.text != ",":
                break
            j += 1
        for length in range(len(positions), 1, -1):
            key = tuple(lemmas[k] for k in positions[:length])
            value = self._lexicon.phrases.get(key)  # type: ignore[arg-type]
            if value is not None:
                end = positions[length - 1] + 1
                words = " ".join(t.text for t in tokens[i:end] if t.kind == "word")
                return Contribution(words, "phrase", value, value, i, end)
        return None

    def _split_unknown_compounds(self, tokens: list[Token]) -> list[Token]:
        """ "слово-гадость", "вообще-то": a hyphenated word the lexicon does not know is read as its parts."""
        result: list[Token] = []
        for token in tokens:
            if (
                token.kind == "word"
                and "-" in token.norm
                and self._lemma(token.norm) is None
                and self._rule(token) is None
            ):
                result.extend(Token(part, normalize(part), "word") for part in token.text.split("-") if part)
            else:
                result.append(token)
        return result

    def score(self, text: str) -> RussianScore:
        tokens = tokenize(text)
        if "-" in text:
            tokens = self._split_unknown_compounds(tokens)
        lemmas = [self._lemma(t.norm, t.stretched) if t.kind == "word" else None for t in tokens]
        rules = [self._rule(t) for t in tokens]
        units, uses_english = self._units(tokens, lemmas)
        word_starts = {u.start for u in units if tokens[u.start].kind == "word"}
        # "не очень" is a verdict alone ("так себе"), but before a word it is a softened negation:
        # "не очень хорошо" is scored by the rules, not as the phrase plus a negated "хорошо".
        units = [u for u in units if not (self._only_rule_words(u, tokens, rules) and u.end in word_starts)]
        # Capitals stress a word only in a text that is not all capitals.
        shouting = any(tokens[u.start].text.isupper() for u in units) and any(
            t.kind == "word" and len(t.text) > 1 and not t.text.isupper() for t in tokens
        )
        kept: list[Contribution] = []
        for unit in units:
            rule = rules[unit.start] if unit.end - unit.start == 1 else None
            if rule is not None and rule.kind == "booster" and unit.end in word_starts:
                continue  # "ужасно удобно": the adverb intensifies the next word instead of counting itself
            if tokens[unit.start].kind == "word":  # smileys and emoji carry their own strength and sign
                negator = self._negator_before(unit, tokens, rules)
                self._intensify(unit, tokens, rules, shouting, negator)
                if negator is not None:
                    unit.value *= NEGATION_SCALAR
                    unit.steps.append(f"negated by {tokens[negator].text!r} x{NEGATION_SCALAR}")
            kept.append(unit)
        if any(rule is not None and rule.kind in ("contrast", "concession") for rule in rules):
            self._weigh_contrast(kept, tokens, rules)
        for unit in kept:
            if unit.value < 0 and NEGATIVE_WEIGHT != 1.0:
                unit.value *= NEGATIVE_WEIGHT
                unit.steps.append(f"negativity x{NEGATIVE_WEIGHT}")
        total = sum(u.value for u in kept)
        total = self._emphasize(total, tokens)
        compound = total / math.sqrt(total * total + NORMALIZATION_ALPHA) if total else 0.0
        return RussianScore(round(compound, 4), total, tuple(kept), uses_english)

    @staticmethod
    def _intensify(
        unit: Contribution, tokens: list[Token], rules: Rules, shouting: bool, negator: int | None
    ) -> None:
        sign = 1.0 if unit.value > 0 else -1.0
        for distance in range(1, WINDOW + 1):
            index = unit.start - distance
            if index < 0 or _clause_boundary(tokens[index]):
                break
            rule = rules[index]
            if rule is not None and rule.kind in ("booster", "dampener"):
                change = sign * rule.value * BOOSTER_DECAY[distance - 1]
                if negator is not None and negator < index < unit.start:
                    change = -change  # "не очень удобно" is less, not more: the negated booster softens
                unit.value += change
                unit.steps.append(f"{rule.kind} {tokens[index].text!r} {change:+.2f}")
        word = tokens[unit.start].text
        if shouting and len(word) > 1 and word.isupper():
            unit.value += sign * CAPS_INCREMENT
            unit.steps.append(f"capitals {sign * CAPS_INCREMENT:+.2f}")

    def _negator_before(self, unit: Contribution, tokens: list[Token], rules: Rules) -> int | None:
        """Index of the negator that negates unit: up to three words before it in its clause, or after it."""
        if unit.source == "phrase":
            return None  # a phrase is an idiom with its own sense: "не выбрасывайте деньги на ветер"
        for distance in range(1, WINDOW + 1):
            index = unit.start - distance
            if index < 0 or _clause_boundary(tokens[index]):
                break
            rule = rules[index]
            if rule is None or rule.kind != "negator":
                continue
            following = tokens[index + 1].norm if index + 1 < len(tokens) else ""
            if following == "только" or self._almost(tokens, index):
                continue
            return index
        return self._negator_after(unit, tokens)

    @staticmethod
    def _almost(tokens: list[Token], index: int) -> bool:
        """ "чуть (было) не сломалась", "едва не": it almost happened, which is no negation."""
        before = [tokens[k].norm for k in range(max(0, index - 2), index)]
        return bool(before) and (before[-1] in ALMOST or before[-2:] in (["чуть", "было"], ["едва", "было"]))

    def _negator_after(self, unit: Contribution, tokens: list[Token]) -> int | None:
        """Russian also negates after the noun: "аромата нет", "проблем не было", "претензий нету"."""
        index = unit.end
        # One word may stand between: a filler ("аромата вообще нет") or the noun's own complement
        # ("аромата розы нет").
        if (
            index + 1 < len(tokens)
            and tokens[index].kind == "word"
            and tokens[index + 1].norm in ("нет", "нету", "не")
        ):
            index += 1
        if index >= len(tokens) or tokens[index].kind != "word":
            return None
        if tokens[index].norm in ("нет", "нету"):
            end = index + 1
        elif tokens[index].norm == "не" and index + 1 < len(tokens) and tokens[index + 1].norm in BEING:
            end = index + 2
        else:
            return None
        # The negation must close the clause: in "хорошее, нет слов" the "нет" belongs to another idiom.
        if end < len(tokens) and tokens[end].kind == "word" and tokens[end].norm not in CLAUSE_TAIL:
            return None
        return index

    @staticmethod
    def _weigh_contrast(units: list[Contribution], tokens: list[Token], rules: Rules) -> None:
        """Contrast works within a sentence; a sentence opening with one discounts the sentence before."""
        sentences: list[tuple[int, int]] = []
        start = 0
        for index, token in enumerate(tokens):
            if token.kind == "punct" and token.text[0] in _SENTENCE_END:
                sentences.append((start, index))
                start = index + 1
        sentences.append((start, len(tokens)))

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
                    end = next((j for j in range(index + 1, high) if _clause_boundary(tokens[j])), high)
                    weigh(index + 1, end, rule.value, f"after {tokens[index].text!r}")
            if contrast is None:
                continue
            at, rule = contrast
            word = tokens[at].text
            if at == low and number > 0:
                weigh(*sentences[number - 1], BEFORE_CONTRAST, f"before {word!r}")
            weigh(low, at, BEFORE_CONTRAST, f"before {word!r}")
            weigh(at + 1, high, rule.value, f"after {word!r}")

    @staticmethod
    def _emphasize(total: float, tokens: list[Token]) -> float:
        if not total:
            return total
        exclamations = sum(t.text.count("!") for t in tokens if t.kind == "punct")
        questions = sum(t.text.count("?") for t in tokens if t.kind == "punct")
        boost = min(exclamations, 4) * EXCLAMATION_STEP
        if questions > 1:
            boost += min(questions * QUESTION_STEP, 0.96)
        return total + math.copysign(boost, total)
