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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain, compress, filterfalse, repeat
from operator import contains, not_
from types import MappingProxyType
from typing import NamedTuple, TypeVar

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
# The tokens of a text without emoticons (see _READ_BY_MATCH), as _TOKEN reads them, read faster: a
# plain list of strings (no match objects), each token found at a character that can begin one (a
# character class, which the search skips to without trying the pattern at every blank), and read on
# as that character's kind goes on. Nothing follows a run in the pattern: it needs no backtracking.
_TOKEN_TEXT = re.compile(
    r"[\w.…;:,—–\n!?()\u2600-\u27BF\u2B50\U0001F300-\U0001FAFF]"
    r"(?:(?<=[^\W\d_])[^\W\d_]*+(?:-[^\W\d_]++)*+"
    r"|(?<=[.…;:,—–\n])[.…;:,—–\n]*+"
    r"|(?<=[!?])[!?]*+"
    r"|(?<=\))\)*+"
    r"|(?<=\()\(*+"
    r"|(?<=\d)\d*+"
    r"|(?<=[\u2600-\u27BF\u2B50\U0001F300-\U0001FAFF]))"
)
# What the fast reading cannot tell: an emoticon (":" and "x" begin punctuation and words too), and
# the capital sigma, the one letter lowercased by its neighbours. Looked for only in a text with one of
# their characters (a plain substring test is far cheaper than a search).
_READ_BY_MATCH = re.compile(r"[:;=xXΣ](?:(?<=[:;=])['\-]?[)(\]dDpP/|]|(?<=[xX])[dD]|(?<=Σ))")
_READ_BY_MATCH_CHARACTERS = ":;=xXΣ"
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
# Any character three times: cheap to find (the letter-only search above is slow to fail), and a stretch
# can only start at one.
_TRIPLE = re.compile(r"(.)\1\1", re.DOTALL)
_SENTENCE_END = frozenset(".!?…;\n")


WORD = "word"
PUNCT = "punct"
NUMBER = "number"
SMILE = "smile"
EMOTICON = "emoticon"
EMOJI_KIND = "emoji"
OWN_VALENCE_KINDS = frozenset({SMILE, EMOTICON, EMOJI_KIND})  # tokens that carry a valence of their own
# A token's kind by its first character, when the text holds no emoticon: every character that starts
# something else than a word but a decimal digit (a number is told by str.isdecimal). Pictographs that are
# letters or digits by Unicode ("❶") are read as words, as _TOKEN reads them.
_KIND_OF_FIRST: Mapping[str, str] = {
    **dict.fromkeys("()", SMILE),
    **dict.fromkeys("!?.…;:,—–\n", PUNCT),
    **dict.fromkeys(
        (
            char
            for char in map(chr, chain(range(0x2600, 0x27C0), (0x2B50,), range(0x1F300, 0x1FB00)))
            if not char.isalnum()
        ),
        EMOJI_KIND,
    ),
}
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

    __slots__ = ("clean", "kinds", "norms", "others", "stretched", "texts")

    def __init__(
        self,
        texts: list[str],
        norms: list[str],
        kinds: list[str],
        stretched: list[bool] | None,
        clean: str,
        others: list[int] | None = None,
    ) -> None:
        self.texts = texts
        self.norms = norms
        self.kinds = kinds  # word | number | punct | smile | emoticon | emoji
        # Whether each token has a letter repeated three times or more ("супеееер"); None when no
        # token has (the usual case).
        self.stretched = stretched
        self.clean = clean  # the text the tokens were read from, once cleaned up
        # The indices of the tokens that are not letters alone (punctuation, numbers, smileys, emoji,
        # hyphenated words), in order, when the reading kept them (None: not known): every other token
        # is a word, so a reader of the rest looks only there (the learned layer's clause breaks).
        self.others = others

    def is_stretched(self, index: int) -> bool:
        return self.stretched is not None and self.stretched[index]


@dataclass(slots=True)
class Contribution:
    """One evaluative unit and what the rules did to it, for explain."""

    words: str
    source: str
    base: float
    value: float
    start: int
    end: int
    steps: list[str] = field(default_factory=list)


# Not frozen: a frozen dataclass is built field by field through object.__setattr__, a cost on every
# text; nothing changes a score once made.
@dataclass(slots=True)
class RussianScore:
    compound: float
    total: float
    contributions: tuple[Contribution, ...]
    uses_english: bool
    negated: int = 0  # how many contributions a negator flipped
    contrasted: bool = False  # whether a contrast or a concession weighed any contribution
    # The text's tokens as scored, for the learned layer's features (no second tokenizing).
    tokens: Tokens | None = field(default=None, compare=False, repr=False)


def _clean(text: str) -> str:
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
    return text


def _scan(text: str) -> Tokens:
    text = _clean(text)
    if any(map(contains, repeat(text), _READ_BY_MATCH_CHARACTERS)) and _READ_BY_MATCH.search(text):
        return _scan_by_match(text)
    texts = _TOKEN_TEXT.findall(text)
    # Lowercasing is character by character (but for the capital sigma, read by match) and no token
    # holds "\0": the tokens lowercased at once are the tokens of the lowercased text.
    joined = "\0".join(texts)
    norms = normalize(joined).split("\0") if texts else []
    # Most tokens are words of letters alone; the others are told by their first character.
    kinds = [WORD] * len(texts)
    others = list(compress(range(len(texts)), map(not_, map(str.isalpha, texts))))
    for index in others:
        token = texts[index]
        kinds[index] = _KIND_OF_FIRST.get(token[0]) or (NUMBER if token.isdecimal() else WORD)
    # A letter stretched in the text is one within a word: the tokens are the shorter place to look.
    return Tokens(texts, norms, kinds, _stretched(joined, norms), text, others)


def _scan_by_match(text: str) -> Tokens:
    """The tokens of a cleaned text read match by match, each kind told by the pattern itself."""
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
    return Tokens(texts, norms, kinds, _stretched(text, norms), text)


# The ASCII characters that are no letter: what is left of a text's ASCII characters without them is
# its Latin letters.
_ASCII_NOT_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())


def _has_latin(text: str) -> bool:
    """Whether a word of the text may be written in Latin letters (then it may be English); the
    Kelvin sign is the one other letter whose lowercase is Latin."""
    return bool(text.encode("ascii", "ignore").translate(None, _ASCII_NOT_LETTERS)) or "\u212a" in text


def _stretched(text: str, norms: list[str]) -> list[bool] | None:
    """Whether each token is stretched, or None when the text has no stretch ("..." and ")))" are none)."""
    if _TRIPLE.search(text) and any(
        _STRETCH.match(text, triple.start()) for triple in _TRIPLE.finditer(text)
    ):
        return [_STRETCH.search(norm) is not None for norm in norms]
    return None


def tokenize(text: str) -> list[Token]:
    tokens = _scan(text)
    stretched = tokens.stretched or [False] * len(tokens.texts)
    return list(map(Token._make, zip(tokens.texts, tokens.norms, tokens.kinds, stretched, strict=True)))


def _own_valence_unit(kind: str, i: int, texts: list[str], norms: list[str]) -> Contribution | None:
    """The unit of a smiley, an emoticon or an emoji (None for another token, or an unknown one)."""
    if kind == EMOJI_KIND:
        value = EMOJI.get(texts[i].rstrip("\ufe0f"))
        return None if value is None else Contribution(texts[i], "emoji", value, value, i, i + 1)
    if kind == EMOTICON:
        value = EMOTICONS.get(norms[i])
        return None if value is None else Contribution(texts[i], "emoticon", value, value, i, i + 1)
    if kind == SMILE:
        raw = texts[i]
        strength = SMILEY_VALENCE[min(len(raw), 3) - 1]
        value = strength if raw[0] == ")" else -strength
        return Contribution(raw, "brackets", value, value, i, i + 1)
    return None


class _PhraseNode:
    """Where a phrase's lemmas have led so far: the lemmas that may come next, and the valence of the
    phrase that ends here, if one does."""

    __slots__ = ("following", "value")

    def __init__(self) -> None:
        self.following: dict[str, _PhraseNode] = {}
        self.value: float | None = None


K = TypeVar("K")
V = TypeVar("V")


def _plain(mapping: Mapping[K, V]) -> dict[K, V]:
    """A dict of the mapping's items. A read-only view's copy() is its dict's, copied as a table at once
    (dict() of a view goes key by key: a few milliseconds more of a cold start)."""
    if isinstance(mapping, dict | MappingProxyType):
        return mapping.copy()
    return dict(mapping)


class RussianEngine:
    def __init__(self, lexicon: Lexicon, english_valence: Callable[[], Mapping[str, float]]) -> None:
        self._lexicon = lexicon
        self._english_valence = english_valence
        # The phrases as a tree of lemmas from their first: a candidate stops growing as soon as no
        # phrase goes on so, and no tuple of lemmas is built to look one up.
        self._phrase_start: dict[str, _PhraseNode] = {}
        for words, value in lexicon.phrases.items():
            node = self._phrase_start.setdefault(words[0], _PhraseNode())
            for word in words[1:]:
                node = node.following.setdefault(word, _PhraseNode())
            if len(words) > 1:
                node.value = value
        # Plain dicts for the hot path (the lexicon's read-only views are slower to query).
        self._lemma_of = _plain(lexicon.lemma_of)
        self._valence = _plain(lexicon.valence)
        self._rules = _plain(lexicon.rules)
        # Lemmas a unit can begin with: an evaluative one, or the first word of a phrase.
        self._unit_lemmas = frozenset(self._valence) | frozenset(self._phrase_start)
        # When every key of the word tables is letters and hyphens (and none is "xd", the emoticon "xD"),
        # no token of another kind can find one: the tables are then read for all tokens at once.
        # (Only the keys that are not letters alone are looked at again: a few hyphenated ones.)
        self._words_only = (
            all(
                not (letters := key.replace("-", "")) or letters.isalpha()
                for key in filterfalse(str.isalpha, chain(self._lemma_of, self._rules))
            )
            and "xd" not in self._lemma_of
            and "xd" not in self._rules
        )

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
        lemmas: list[str | None]
        rules: Rules
        if self._words_only:
            lemmas, rules = list(map(lemma_of, norms)), list(map(rule_of, norms))
        else:
            lemmas = [
                lemma_of(norm) if kind == WORD else None for norm, kind in zip(norms, kinds, strict=True)
            ]
            rules = [rule_of(norm) if kind == WORD else None for norm, kind in zip(norms, kinds, strict=True)]
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

    @classmethod
    def _phrase_counts(
        cls, unit: Contribution, word_starts: set[int], kinds: list[str], rules: Rules, negators: bool
    ) -> bool:
        """Whether a phrase counts; when it does, the negators inside it are spent on it."""
        # "не очень" is a verdict alone ("так себе"), but before a word it is a softened negation:
        # "не очень хорошо" is scored by the rules, not as the phrase plus a negated "хорошо".
        if unit.end in word_starts and cls._only_rule_words(unit, kinds, rules):
            return False
        # In "без проблем работает" the "без" belongs to "без проблем" and does not negate "работает"
        # (no unit before the phrase reaches into it, so spending it now is as spending it first).
        if negators:
            for index in range(unit.start, unit.end):
                rule = rules[index]
                if rule is not None and rule.kind == "negator":
                    rules[index] = None
        return True

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

    def _unit_positions(self, tokens: Tokens, lemmas: list[str | None]) -> tuple[Iterable[int], bool]:
        """The tokens a unit may begin at, in order, and whether a complaint shape may be among them.
        Most tokens begin none, which their lemma tells; but smileys and emoji have valences of their
        own, a word in Latin letters may be English, and a word after не/слишком may make a complaint
        shape with it."""
        norms, kinds = tokens.norms, tokens.kinds
        if not OWN_VALENCE_KINDS.isdisjoint(kinds) or _has_latin(tokens.clean):
            return range(len(kinds)), True
        positions = compress(range(len(kinds)), map(self._unit_lemmas.__contains__, lemmas))
        if SHAPE_OPENERS.isdisjoint(norms):
            return positions, False
        after_openers = [i for i, previous in enumerate(norms[:-1], 1) if previous in SHAPE_OPENERS]
        return sorted({*positions, *after_openers}), True

    def _units(self, tokens: Tokens, lemmas: list[str | None]) -> tuple[list[Contribution], set[int], bool]:
        """The text's evaluative units, the tokens where those that are words begin, and whether any
        unit is English."""
        units: list[Contribution] = []
        word_starts: set[int] = set()
        uses_english = False
        valence, phrase_start = self._valence, self._phrase_start
        texts, norms, kinds = tokens.texts, tokens.norms, tokens.kinds
        n = len(texts)
        positions, shapes = self._unit_positions(tokens, lemmas)
        resume = 0  # the token after the last phrase found: the words inside it are spent
        for i in positions:
            if i < resume:
                continue
            if kinds[i] != WORD:
                own = _own_valence_unit(kinds[i], i, texts, norms)
                if own is not None:
                    units.append(own)
                continue
            lemma = lemmas[i]
            if lemma is not None:
                node = phrase_start.get(lemma)
                if node is not None:
                    j = i + 1  # the next word, past commas
                    while j < n and texts[j] == ",":
                        j += 1
                    # Most words that can start a phrase do not start one here: the next word tells.
                    if j < n and lemmas[j] in node.following:
                        matched = self._phrase_at(i, j, node, tokens, lemmas)
                        if matched is not None:
                            units.append(matched)
                            word_starts.add(i)
                            resume = matched.end
                            continue
                value = valence.get(lemma)
                if value is not None:
                    units.append(Contribution(texts[i], f"lemma {lemma}", value, value, i, i + 1))
                    word_starts.add(i)
                    continue
            norm = norms[i]
            if norm.isascii():
                value = self._english_valence().get(norm)
                if value is not None:
                    uses_english = True
                    units.append(Contribution(texts[i], "english", value, value, i, i + 1))
                    word_starts.add(i)
                    continue
            if shapes and i and norms[i - 1] in SHAPE_OPENERS:
                shape = self._complaint_shape(tokens, i)
                if shape is not None:
                    units.append(shape)
                    word_starts.add(i - 1)
        return units, word_starts, uses_english

    @staticmethod
    def _phrase_at(
        i: int, j: int, node: _PhraseNode, tokens: Tokens, lemmas: list[str | None]
    ) -> Contribution | None:
        """The longest phrase starting at token i (whose lemma led to node), whose next word is token j;
        commas inside it are allowed ("то, что надо")."""
        texts = tokens.texts
        n = len(texts)
        positions = [i]  # the words gone through; only commas are between them
        longest = 0  # how many of them make the longest phrase yet
        value = 0.0
        while j < n:
            lemma = lemmas[j]
            if lemma is not None:  # a word: only words have lemmas
                following = node.following.get(lemma)
                if following is None:
                    break  # no phrase is longer than this one here
                node = following
                positions.append(j)
                if node.value is not None:
                    longest, value = len(positions), node.value
            elif texts[j] != ",":
                break
            j += 1
        if not longest:
            return None
        end = positions[longest - 1] + 1
        # Its words, without the commas between them (if any).
        words = " ".join(texts[i:end] if end - i == longest else [texts[k] for k in positions[:longest]])
        return Contribution(words, "phrase", value, value, i, end)

    def _split_unknown_compounds(self, tokens: Tokens) -> Tokens:
        """ "слово-гадость", "вообще-то": a hyphenated word the lexicon does not know is read as its parts."""
        hyphenated = compress(range(len(tokens.norms)), map(contains, tokens.norms, repeat("-")))
        unknown = {
            i
            for i in hyphenated
            if tokens.kinds[i] == WORD
            and self._lemma(tokens.norms[i]) is None
            and self._rule(tokens.norms[i], tokens.is_stretched(i)) is None
        }
        if not unknown:
            return tokens  # the usual case: a dash, or only hyphenated words the lexicon knows
        texts: list[str] = []
        norms: list[str] = []
        kinds: list[str] = []
        stretched: list[bool] = []
        for i, (raw, norm, kind) in enumerate(zip(tokens.texts, tokens.norms, tokens.kinds, strict=True)):
            if i in unknown:
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
        units, word_starts, uses_english = self._units(tokens, lemmas)
        if not units:
            return RussianScore(0.0, 0, (), uses_english, tokens=tokens)
        ruled = set(compress(range(len(rules)), rules))  # the few tokens that are rule words
        present = {rule.kind for rule in filter(None, rules)}
        # Rules that cannot apply to this text are skipped: without a booster or dampener, only capitals
        # intensify; without a negator (before a word) or a "нет"/"не" (after one), nothing is negated;
        # and a unit with no rule word in the three tokens before it has no negator or booster there.
        boosting = "booster" in present or "dampener" in present
        negating_after = set(compress(range(len(kinds)), map(NEGATING_AFTER.__contains__, tokens.norms)))
        negating = "negator" in present or bool(negating_after)
        distances = range(1, WINDOW + 1)
        reach = {index + distance for index in ruled for distance in distances}
        mixed_case: bool | None = None  # whether the text is not all capitals, once a unit needs to know
        kept: list[Contribution] = []
        negated = 0
        for unit in units:
            start, end = unit.start, unit.end
            if unit.source == "phrase":
                if not self._phrase_counts(unit, word_starts, kinds, rules, "negator" in present):
                    continue
            elif end - start == 1 and end in word_starts and start in ruled:
                # "ужасно удобно": the adverb intensifies the next word instead of counting itself.
                rule = rules[start]
                if rule is not None and rule.kind == "booster":
                    continue
            if kinds[start] == WORD:  # smileys and emoji carry their own strength and sign
                near = start in reach
                after = end in negating_after or end + 1 in negating_after
                negator = None
                if negating and (near or after):
                    negator = self._negator_before(unit, tokens, rules, near, after)
                # Capitals stress a word only in a text that is not all capitals.
                word = texts[start]
                shouting = False
                if word.isupper() and len(word) > 1:
                    if mixed_case is None:
                        mixed_case = any(
                            kind == WORD and len(other) > 1 and not other.isupper()
                            for other, kind in zip(texts, kinds, strict=True)
                        )
                    shouting = mixed_case
                if (boosting and near) or shouting:
                    self._intensify(unit, tokens, rules, shouting, negator)
                if negator is not None:
                    unit.value *= NEGATION_SCALAR
                    unit.steps.append(f"negated by {texts[negator]!r} x{NEGATION_SCALAR}")
                    negated += 1
            kept.append(unit)
        total, contrasted = self._total(kept, tokens, rules, present)
        compound = total / math.sqrt(total * total + NORMALIZATION_ALPHA) if total else 0.0
        return RussianScore(round(compound, 4), total, tuple(kept), uses_english, negated, contrasted, tokens)

    def _total(
        self, kept: list[Contribution], tokens: Tokens, rules: Rules, present: set[str]
    ) -> tuple[float, bool]:
        """The units' sum once contrast and emphasis have weighed them, and whether contrast did."""
        contrasted = False
        if "contrast" in present or "concession" in present:
            contrasted = self._weigh_contrast(kept, tokens, rules)
        if NEGATIVE_WEIGHT != 1.0:
            for unit in kept:
                if unit.value < 0:
                    unit.value *= NEGATIVE_WEIGHT
                    unit.steps.append(f"negativity x{NEGATIVE_WEIGHT}")
        return self._emphasize(sum([unit.value for unit in kept]), tokens.clean), contrasted

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

    def _negator_before(
        self, unit: Contribution, tokens: Tokens, rules: Rules, near: bool, after: bool
    ) -> int | None:
        """Index of the negator that negates unit: up to three words before it in its clause, or after it.
        near and after tell whether a rule word is that near before it and a "нет" or "не" right after
        it (or one word on): without, there is nothing to look for on that side."""
        if unit.source == "phrase":
            return None  # a phrase is an idiom with its own sense: "не выбрасывайте деньги на ветер"
        kinds, norms = tokens.kinds, tokens.norms
        for distance in range(1, WINDOW + 1 if near else 1):
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
        return self._negator_after(unit, tokens) if after else None

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
    def _weigh_contrast(units: list[Contribution], tokens: Tokens, rules: Rules) -> bool:
        """Contrast works within a sentence; a sentence opening with one discounts the sentence before.
        Whether it weighed any unit."""
        texts, kinds = tokens.texts, tokens.kinds
        sentences: list[tuple[int, int]] = []
        start = 0
        for index, kind in enumerate(kinds):
            if kind == PUNCT and texts[index][0] in _SENTENCE_END:
                sentences.append((start, index))
                start = index + 1
        sentences.append((start, len(kinds)))
        weighed = False

        def weigh(low: int, high: int, factor: float, why: str) -> None:
            nonlocal weighed
            step = f"{why} x{factor}"
            for unit in units:
                if low <= unit.start < high:
                    unit.value *= factor
                    unit.steps.append(step)
                    weighed = True

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
        return weighed

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
