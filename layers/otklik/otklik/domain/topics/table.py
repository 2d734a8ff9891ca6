"""The topic lexicon as the detector uses it: word forms to lemmas, lemma classes, cues, evaluative words.

Everything is read from the generated tables `lexicon/<lang>_topics.tsv`, which `make lexicon` builds
from the hand-written sources (`<lang>_classes.tsv`, `<lang>_cues.tsv`) with pymorphy3 for Russian,
so detection needs no morphology at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from otklik.domain.tonality.lexicon_table import normalize

TOPICS = (
    "quality",
    "size_fit",
    "description_mismatch",
    "wrong_or_missing_item",
    "delivery",
    "packaging",
    "smell",
    "price_value",
    "seller_service",
    "returns_refunds",
    "counterfeit",
)
LANGUAGES = ("ru", "en")
NEUTRALIZER = "~"  # a phrase whose words name no topic and give no evidence ("большое спасибо")
EVALUATIVE = "*"  # a word the tonality lexicon lacks that evaluates its clause ("тонкий")
POLARITIES = ("-", "+", "0", "=", "=-", "=+", "=?", "x")
ABSENT = ("-", "+", "0", ".")
NUMBER = "#num"  # a cue word standing for any number ("за #num": "брала за 495")
# Classes the detector itself asks for, by name.
VERDICT, MOOD, EXIST, FILLER, FUNCTION = "@verdict", "@mood", "@exist", "@filler", "@function"
ENGINE_CLASSES = (VERDICT, MOOD, EXIST, FILLER, FUNCTION)


def table_name(lang: str) -> str:
    return f"{lang}_topics.tsv"


Part = tuple[str, ...]  # keys of consecutive words: lemmas, "@class" or "#num"


@dataclass(frozen=True, slots=True)
class Cue:
    """A rule that names a topic: parts[0] at the mention, every other part in the same clause."""

    topic: str
    parts: tuple[Part, ...]
    polarity: str  # one of POLARITIES; see lexicon/README.md
    absent: str  # the polarity when negated or named absent; "." when the polarity says it

    @property
    def pattern(self) -> str:
        return " & ".join(" ".join(part) for part in self.parts)


@dataclass(frozen=True)
class TopicTable:
    lemma_of: Mapping[str, str]
    forms_of: Mapping[str, tuple[str, ...]]  # lemma -> its forms, itself included
    classes_of: Mapping[str, tuple[str, ...]]  # lemma -> the "@class" keys it belongs to
    cues: tuple[Cue, ...]
    # A word's keys (its lemma and classes) -> the cues whose first part starts with that key.
    starts: Mapping[str, tuple[Cue, ...]]
    evaluative: Mapping[str, float]  # lemma -> valence of the words topic '*' adds

    @staticmethod
    def build(lemma_of: dict[str, str], classes: dict[str, set[str]], cues: list[Cue]) -> TopicTable:
        forms_of: dict[str, list[str]] = {}
        for form, lemma in lemma_of.items():
            forms_of.setdefault(lemma, []).append(form)
        classes_of: dict[str, list[str]] = {}
        for name, members in sorted(classes.items()):
            for lemma in members:
                classes_of.setdefault(lemma, []).append(name)
        starts: dict[str, list[Cue]] = {}
        evaluative: dict[str, float] = {}
        kept: list[Cue] = []
        for cue in cues:
            if cue.topic == EVALUATIVE:
                evaluative[cue.parts[0][0]] = 1.0 if cue.polarity == "+" else -1.0
                continue
            kept.append(cue)
            starts.setdefault(cue.parts[0][0], []).append(cue)
        # Longer first parts first: a neutralizer or a longer cue takes its words before a shorter one.
        ordered = {key: tuple(sorted(found, key=lambda c: -len(c.parts[0]))) for key, found in starts.items()}
        return TopicTable(
            lemma_of=MappingProxyType(lemma_of),
            forms_of=MappingProxyType({lemma: tuple(forms) for lemma, forms in forms_of.items()}),
            classes_of=MappingProxyType({k: tuple(v) for k, v in classes_of.items()}),
            cues=tuple(kept),
            starts=MappingProxyType(ordered),
            evaluative=MappingProxyType(evaluative),
        )

    def members(self, name: str) -> frozenset[str]:
        """The lemmas of a class ("@verdict")."""
        return frozenset(lemma for lemma, names in self.classes_of.items() if name in names)

    def forms(self, lemmas: frozenset[str]) -> frozenset[str]:
        """Every form of these lemmas (a lemma the table does not know stands for itself)."""
        return lemmas.union(*(self.forms_of.get(lemma, ()) for lemma in lemmas))


class TopicTableError(ValueError):
    """A record of a generated table cannot be read; the message says which."""


def parse_table(text: str) -> TopicTable:
    """Records, one a line, tab-separated:
    F <lemma> <form> <form> ...                  a lemma and its other forms
    C <@class> <lemma> <lemma> ...               a class of lemmas
    Q <topic> <polarity> <absent> <pattern>      a cue; pattern parts joined by " & "
    """
    lemma_of: dict[str, str] = {}
    classes: dict[str, set[str]] = {}
    cues: list[Cue] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        kind, *fields = line.split("\t")
        if kind == "F" and len(fields) == 2:
            lemma, forms = fields
            lemma_of[lemma] = lemma
            for form in forms.split(" ") if forms else ():
                lemma_of.setdefault(form, lemma)
        elif kind == "C" and len(fields) == 2:
            classes[fields[0]] = set(fields[1].split(" "))
        elif kind == "Q" and len(fields) == 4:
            topic, polarity, absent, pattern = fields
            parts = tuple(tuple(part.split(" ")) for part in pattern.split(" & "))
            cues.append(Cue(topic, parts, polarity, absent))
        else:
            raise TopicTableError(f"line {number}: not a topic table record: {line[:80]!r}")
    return TopicTable.build(lemma_of, classes, cues)


@cache
def shipped_table(lang: str) -> TopicTable:
    """The table shipped in the package for a language, read once per process."""
    if lang not in LANGUAGES:
        raise ValueError(f"no topic lexicon for language {lang!r}; languages are {', '.join(LANGUAGES)}")
    files = resources.files("otklik.domain.topics.lexicon")
    return parse_table(files.joinpath(table_name(lang)).read_text("utf-8"))


__all__ = [
    "ABSENT",
    "ENGINE_CLASSES",
    "EVALUATIVE",
    "NEUTRALIZER",
    "NUMBER",
    "POLARITIES",
    "TOPICS",
    "Cue",
    "TopicTable",
    "normalize",
    "parse_table",
    "shipped_table",
]
