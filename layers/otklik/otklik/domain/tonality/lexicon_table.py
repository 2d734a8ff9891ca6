"""The Russian lexicon as the engine uses it: word forms to lemmas, lemma valences, phrases, rule words.

Everything here is read from the generated table `lexicon/ru_lexicon.tsv`, which `make lexicon`
builds from the hand-written sources with pymorphy3, so scoring needs no morphology at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

GENERATED_TABLE = "ru_lexicon.tsv"

# Record kinds of the generated table, one record a line, tab-separated:
#   L <lemma> <valence or -> <form> <form> ...   an evaluative lemma (or a phrase word, valence "-")
#   P <lemma> <lemma> ... <valence>               a multiword expression, as lemmas
#   R <kind> <lemma> <value> <form> <form> ...    a rule word: booster, dampener, negator, contrast
RULE_KINDS = ("booster", "dampener", "negator", "contrast", "concession")


def normalize(word: str) -> str:
    """How words are compared: lowercase, ё as е."""
    return word.lower().replace("ё", "е")


@dataclass(frozen=True)
class RuleWord:
    kind: str
    lemma: str
    value: float


@dataclass(frozen=True)
class Lexicon:
    lemma_of: Mapping[str, str]
    valence: Mapping[str, float]
    phrases: Mapping[tuple[str, ...], float]
    rules: Mapping[str, RuleWord] = field(default_factory=dict)
    max_phrase_words: int = 0
    # Word beginnings that stand for every word they begin (deployment overrides "имб*"); their
    # lemma is the prefix followed by "*".
    prefixes: tuple[str, ...] = ()

    @staticmethod
    def build(
        lemma_of: dict[str, str],
        valence: dict[str, float],
        phrases: dict[tuple[str, ...], float],
        rules: dict[str, RuleWord],
        prefixes: tuple[str, ...] = (),
    ) -> Lexicon:
        return Lexicon(
            lemma_of=MappingProxyType(lemma_of),
            valence=MappingProxyType(valence),
            phrases=MappingProxyType(phrases),
            rules=MappingProxyType(rules),
            max_phrase_words=max((len(p) for p in phrases), default=0),
            prefixes=prefixes,
        )


def parse_table(text: str) -> Lexicon:
    lemma_of: dict[str, str] = {}
    valence: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    rules: dict[str, RuleWord] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, *fields = line.split("\t")
        if kind == "L":
            lemma, value, forms = fields
            if value != "-":
                valence[lemma] = float(value)
            lemma_of[lemma] = lemma
            for form in forms.split(" "):
                lemma_of[form] = lemma
        elif kind == "P":
            words, value = fields
            phrases[tuple(words.split(" "))] = float(value)
        elif kind == "R":
            rule_kind, lemma, value, forms = fields
            word = RuleWord(rule_kind, lemma, float(value))
            for form in {lemma, *forms.split(" ")}:
                rules[form] = word
        else:
            raise ValueError(f"unknown record kind {kind!r} in the lexicon table")
    return Lexicon.build(lemma_of, valence, phrases, rules)


@cache
def shipped_lexicon() -> Lexicon:
    """The lexicon shipped in the package, read once per process."""
    text = resources.files("otklik.domain.tonality.lexicon").joinpath(GENERATED_TABLE).read_text("utf-8")
    return parse_table(text)
