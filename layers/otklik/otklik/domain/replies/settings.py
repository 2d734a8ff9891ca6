"""The `replies:` section of the configuration document: what the reply check refuses beside the platforms'
own rules (otklik.domain.replies.check)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from otklik.domain.models import Frozen

# The share of words in common, in order, at which a reply is a near-duplicate of a recent one.
DEFAULT_SIMILARITY = 0.9

StopWord = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ReplySettings(Frozen):
    stop_words: tuple[StopWord, ...] = Field(
        default=(),
        max_length=500,
        description="words or phrases no reply may hold, whole words, case aside; `*` ends any ending",
    )
    similarity: float = Field(
        default=DEFAULT_SIMILARITY,
        gt=0,
        le=1,
        description="a reply this similar to a recent one on the same product is a near-duplicate",
    )

    @field_validator("stop_words")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for index, word in enumerate(words):
            if not any(character.isalnum() for character in word):
                raise ValueError(f"[{index}] {word!r} holds no letter or digit")
        return words


NO_REPLY_SETTINGS = ReplySettings()
