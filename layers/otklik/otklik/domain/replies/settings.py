"""The `replies:` section of the configuration document: what the reply check refuses beside the platforms'
own rules (otklik.domain.replies.check), and what drafts are made of (otklik.domain.replies.templates)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from otklik.domain.models import Frozen
from otklik.domain.replies.auto import AutoReplyPolicy
from otklik.domain.replies.templates import BUILT_IN_TEMPLATES, MAX_TEMPLATES, Promise, ReplyTemplate

# The share of words in common, in order, at which a reply is a near-duplicate of a recent one.
DEFAULT_SIMILARITY = 0.9

StopWord = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Signature = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


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
    signature: Signature | None = Field(
        default=None, description="who a draft is signed by (templates see it), e.g. Команда магазина «Уют»"
    )
    address_by_name: bool = Field(
        default=True,
        description="a draft calls the customer by their first name when the author's name is a known one",
    )
    may_promise: tuple[Promise, ...] = Field(
        default=(),
        max_length=20,
        description="what a draft may promise (refund, exchange...); a variant promising more is skipped",
    )
    templates: tuple[ReplyTemplate, ...] = Field(
        default=BUILT_IN_TEMPLATES,
        max_length=MAX_TEMPLATES,
        description="what drafts are made of, looked at in this order: the first whose `when` holds is used",
    )

    auto_reply: tuple[AutoReplyPolicy, ...] = Field(
        default=(),
        max_length=50,
        description="publish without a person: per marketplace and stars, low-risk items only, after a delay",
    )
    recent_replies: int = Field(
        default=20,
        ge=1,
        le=100,
        description="how many of the last replies on a product a new one must not repeat",
    )

    @field_validator("auto_reply")
    @classmethod
    def _policies(cls, policies: tuple[AutoReplyPolicy, ...]) -> tuple[AutoReplyPolicy, ...]:
        names = [policy.name for policy in policies]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise ValueError(f"[{index}] {name!r} is defined twice")
        return policies

    @field_validator("stop_words")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for index, word in enumerate(words):
            if not any(character.isalnum() for character in word):
                raise ValueError(f"[{index}] {word!r} holds no letter or digit")
        return words


NO_REPLY_SETTINGS = ReplySettings()
