"""A seller's moderation settings in the configuration document: words to allow, words of their own to
flag, flags to turn off. Validated with the rest of the document (otklik.domain.config)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from otklik.domain.models import Frozen
from otklik.domain.moderation.model import FLAGS, Flag

# Flags a seller may add words to: gibberish is the absence of words, so it has none.
WORD_FLAGS: tuple[Flag, ...] = tuple(flag for flag in FLAGS if flag != "gibberish")
MAX_WORDS = 1000


def _flag(name: str) -> str:
    if name not in FLAGS:
        raise ValueError(f"unknown flag {name!r}; flags are {', '.join(FLAGS)}")
    return name


def _word_flag(name: str) -> str:
    _flag(name)
    if name not in WORD_FLAGS:
        raise ValueError(f"words cannot be added to {name!r}; flags taking words are {', '.join(WORD_FLAGS)}")
    return name


def _word(word: str) -> str:
    if not any(char.isalpha() for char in word):
        raise ValueError(f"{word!r} holds no letters")
    return word


FlagName = Annotated[str, AfterValidator(_flag)]
WordFlagName = Annotated[str, AfterValidator(_word_flag)]
Word = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_word)]


class ModerationSettings(Frozen):
    allow_words: tuple[Word, ...] = Field(
        default=(),
        max_length=MAX_WORDS,
        description="words never flagged, e.g. a brand that looks like a listed word",
    )
    extra_words: dict[WordFlagName, tuple[Word, ...]] = Field(
        default_factory=dict,
        description="a seller's own words or phrases per flag, flagged wherever they appear",
    )
    disabled_flags: tuple[FlagName, ...] = Field(default=(), description="flags this seller does not want")

    def key(self) -> tuple[object, ...]:
        """A hashable value equal for equal settings: what the compiled form is cached on."""
        extra = tuple(sorted((flag, tuple(words)) for flag, words in self.extra_words.items()))
        return (self.allow_words, extra, tuple(sorted(self.disabled_flags)))


NO_SETTINGS = ModerationSettings()
