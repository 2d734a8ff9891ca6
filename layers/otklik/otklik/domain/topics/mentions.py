"""A topic found in a text: its name, the polarity the text gives it, and the span that names it."""

from __future__ import annotations

from typing import NamedTuple

from otklik.domain.models import TopicPolarity


class TopicMention(NamedTuple):
    """One topic of one text; evidence is text[start:end], what a person reads to see why.

    An immutable record (a named tuple: the cheapest to build on the hot path, where every item's topics
    are found); as_output() is its JSON shape.
    """

    topic: str
    polarity: TopicPolarity
    evidence: str
    start: int
    end: int

    def as_output(self) -> dict[str, str]:
        """The shape `otklik topics detect` writes (DESIGN.md): topic, polarity, evidence."""
        return {"topic": self.topic, "polarity": self.polarity, "evidence": self.evidence}

    def as_dict(self) -> dict[str, str | int]:
        """Every field by name, offsets included (for storing and for explain)."""
        return {**self.as_output(), "start": self.start, "end": self.end}
