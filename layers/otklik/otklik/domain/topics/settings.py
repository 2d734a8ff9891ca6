"""A seller's topics in the configuration document: topics of their own, and more words for any topic.

    topics:
      custom:
        - name: assembly
          words: [сборка, собрать, инструкция по сборке]
      words:
        quality: [скрипит]
        assembly: [шуруп]

A custom topic's name is a lowercase identifier that is not one of the eleven (those are extended under
`words`); each word or run of words names its topic wherever it appears, in any form (matched by stem,
see otklik.domain.topics.seller), and takes the polarity of its clause. Validated with the rest of the
document (otklik.domain.config); what refers to a topic (`topics.words`, a rule's `when.topic`) must
name one that exists.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from otklik.domain.models import Frozen
from otklik.domain.topics.seller import SellerTopics
from otklik.domain.topics.table import TOPICS

TOPIC_NAME = r"^[a-z][a-z0-9_]{0,39}$"
MAX_TOPICS = 50
MAX_WORDS = 200
# Letters, digits, and the hyphen or apostrophe inside a word; up to five words, one space apart.
_WORDS = re.compile(r"^[^\W_]+(?:['’-][^\W_]+)*(?: [^\W_]+(?:['’-][^\W_]+)*){0,4}$")


def _word(word: str) -> str:
    word = " ".join(word.split())
    if not _WORDS.match(word):
        raise ValueError(
            f"{word!r} is not a word or a run of up to five words (letters and digits, - or ' inside a word)"
        )
    if not any(char.isalpha() for char in word):
        raise ValueError(f"{word!r} holds no letters")
    return word


Word = Annotated[str, Field(min_length=2, max_length=60), AfterValidator(_word)]


class CustomTopic(Frozen):
    name: str = Field(description="a lowercase identifier, not one of the eleven")
    words: tuple[Word, ...] = Field(min_length=1, max_length=MAX_WORDS)

    @field_validator("name")
    @classmethod
    def _not_built_in(cls, name: str) -> str:
        if not re.match(TOPIC_NAME, name):
            raise ValueError(
                f"{name!r} is not a topic name: a lowercase letter, then letters, digits or _ (40 at most)"
            )
        if name in TOPICS:
            raise ValueError(f"{name!r} is a built-in topic: add its words under topics.words.{name}")
        return name


class TopicSettings(Frozen):
    custom: tuple[CustomTopic, ...] = Field(
        default=(), max_length=MAX_TOPICS, description="a seller's own topics, each named by its words"
    )
    words: dict[str, tuple[Word, ...]] = Field(
        default_factory=dict, description="more words for a topic, built-in or custom: topic -> words"
    )

    def names(self) -> tuple[str, ...]:
        """Every topic a document may refer to: the eleven, then the custom ones."""
        return (*TOPICS, *(topic.name for topic in self.custom))

    def seller_topics(self) -> SellerTopics:
        """The detector's form of these settings, built once per process and value."""
        custom = tuple((topic.name, topic.words) for topic in self.custom)
        words = tuple(sorted((topic, tuple(entries)) for topic, entries in self.words.items()))
        return _seller_topics(custom, words)


@cache
def _seller_topics(
    custom: tuple[tuple[str, tuple[str, ...]], ...], words: tuple[tuple[str, tuple[str, ...]], ...]
) -> SellerTopics:
    by_topic: dict[str, list[str]] = {}
    for name, entries in (*custom, *words):
        by_topic.setdefault(name, []).extend(entries)
    return SellerTopics.of(by_topic, custom=tuple(name for name, _ in custom))


NO_TOPIC_SETTINGS = TopicSettings()


def _names_in(document: Any) -> tuple[list[tuple[int, str]], list[str]]:
    """(index, name) of the custom topics of a raw `topics` section, and the topics it defines."""
    section = document.get("topics") if isinstance(document, dict) else None
    custom = section.get("custom") if isinstance(section, dict) else None
    named = [
        (index, entry["name"])
        for index, entry in enumerate(custom if isinstance(custom, list | tuple) else ())
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    ]
    return named, [*TOPICS, *(name for _, name in named)]


def topic_reference_problems(document: Any) -> list[str]:
    """What refers to a topic, in a raw document: custom names defined once, `topics.words` keys and
    rules' `when.topic` naming a topic that exists (the eleven or a custom one)."""
    named, known = _names_in(document)
    problems: list[str] = []
    seen: set[str] = set()
    for index, name in named:
        if name in seen:
            problems.append(f"topics.custom[{index}].name: topic {name!r} is defined twice")
        seen.add(name)
    listing = ", ".join(dict.fromkeys(known))

    def unknown(path: str, name: object) -> None:
        if isinstance(name, str) and name not in known:
            problems.append(f"{path}: unknown topic {name!r}; topics are {listing}")

    section = document.get("topics") if isinstance(document, dict) else None
    words = section.get("words") if isinstance(section, dict) else None
    if isinstance(words, dict):
        for key in words:
            unknown(f"topics.words.{key}", key)

    def reference(path: str, entry: object) -> None:
        # A topic by name, or {topic: NAME, polarity: ...}
        if isinstance(entry, dict):
            unknown(f"{path}.topic", entry.get("topic"))
        else:
            unknown(path, entry)

    def conditions(path: str, when: object, depth: int = 0) -> None:
        if not isinstance(when, dict) or depth > 16:  # deeper is refused by the rules' own check
            return
        topic = when.get("topic")
        if isinstance(topic, list):  # a rule may name several topics
            for offset, each in enumerate(topic):
                reference(f"{path}.topic[{offset}]", each)
        elif topic is not None:
            reference(f"{path}.topic", topic)
        for combined in ("all", "any"):
            entries = when.get(combined)
            for offset, each in enumerate(entries if isinstance(entries, list) else ()):
                conditions(f"{path}.{combined}[{offset}]", each, depth + 1)
        conditions(f"{path}.not", when.get("not"), depth + 1)

    rules = document.get("rules") if isinstance(document, dict) else None
    for index, rule in enumerate(rules if isinstance(rules, list | tuple) else ()):
        conditions(f"rules[{index}].when", rule.get("when") if isinstance(rule, dict) else None)
    return problems
