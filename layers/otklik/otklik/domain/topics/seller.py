"""A seller's own topics and words (the configuration document's `topics:`), matched by stem.

The shipped lexicon knows every form of its words because `make lexicon` asked pymorphy3; a seller's
words arrive at run time, where there is no morphology. So each written word is cut to a stem by
removing one common ending (the longest that leaves at least STEM_MIN letters), and a word of a text
matches when it begins with that stem and has at most MAX_ENDING letters more: "сборка" -> "сборк"
matches сборка, сборки, сборкой, сборку; "собрать" -> "собр" matches собрать, собрал, собрали (but not
соберёт: a changed stem needs its own entry). A word with no such ending is its own stem ("шкаф" matches
шкафы, шкафом); a word shorter than STEM_MIN letters matches only itself ("дно").
Several words in one entry ("собрать шкаф") match as consecutive words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from otklik.domain.tonality.lexicon_table import normalize

STEM_MIN = 4
MAX_ENDING = 4
PREFIX = 3  # letters the index is keyed on
# Inflectional endings, Russian and English, longest first; only one is removed.
ENDINGS = tuple(
    sorted(
        {
            *("иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ться", "тся", "ать", "ять"),
            *("еть", "ить", "уть", "ешь", "ишь", "ете", "ите", "ала", "ало", "али", "ила", "или"),
            *("ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "ой", "ом", "ем", "ам", "ям", "ах", "ях"),
            *("ую", "юю", "ия", "ья", "ье", "ии", "ов", "ев", "ть", "ти", "ет", "ит", "ут", "ют", "ат"),
            *("а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й", "л"),
            *("ing", "ed", "es", "s", "e", "y"),
        },
        key=lambda ending: (-len(ending), ending),
    )
)


def stem(word: str) -> str:
    """The part of a written word that its forms share (see the module's docstring)."""
    word = normalize(word)
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= STEM_MIN:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True, slots=True)
class SellerCue:
    topic: str
    stems: tuple[str, ...]  # consecutive words
    exact: tuple[bool, ...]  # whether each word matches only itself (too short to stem)
    words: str  # as the seller wrote them

    def matches(self, index: int, word: str) -> bool:
        wanted = self.stems[index]
        if self.exact[index]:
            return word == wanted
        return word.startswith(wanted) and len(word) - len(wanted) <= MAX_ENDING


@dataclass(frozen=True)
class SellerTopics:
    """Cues from a seller's configuration: custom topics and extra words for the eleven."""

    cues: tuple[SellerCue, ...] = ()
    by_prefix: Mapping[str, tuple[SellerCue, ...]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )  # derived from cues: equal cues, equal index
    custom: tuple[str, ...] = ()  # the names of the seller's own topics

    @staticmethod
    def of(words: Mapping[str, Iterable[str]], custom: Iterable[str] = ()) -> SellerTopics:
        """Topic -> words (each word or run of words a cue) as the configuration document gives them."""
        cues: list[SellerCue] = []
        for topic, entries in words.items():
            for entry in entries:
                pieces = normalize(entry).split()
                if not pieces:
                    continue
                stems = tuple(stem(piece) for piece in pieces)
                exact = tuple(len(piece) < STEM_MIN for piece in pieces)
                cues.append(SellerCue(topic, stems, exact, entry))
        index: dict[str, list[SellerCue]] = {}
        for cue in cues:
            index.setdefault(cue.stems[0][:PREFIX], []).append(cue)
        return SellerTopics(
            cues=tuple(cues),
            by_prefix=MappingProxyType({key: tuple(found) for key, found in index.items()}),
            custom=tuple(custom),
        )

    def __bool__(self) -> bool:
        return bool(self.cues)


NO_SELLER_TOPICS = SellerTopics()
