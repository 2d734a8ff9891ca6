"""Tonality of feedback: the one entry point score_feedback and the CLI use.

Russian text is scored by our engine (VADER's method over our own Russian lexicon, see
otklik.domain.tonality.russian), English text by VADER as it is. When the feedback has stars, text and
stars are combined by the rule in otklik.domain.tonality.ratings, and strong disagreement is flagged.

The names below live in otklik.domain.tonality.scoring and are loaded on first use (PEP 562), so that
importing the engine's own modules (russian, lexicon_table, overrides) does not also import the
pydantic models and VADER that scoring needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from otklik.domain.tonality.scoring import (
        ENGINE_VERSION,
        THRESHOLDS,
        TextScore,
        explain,
        label_for,
        learned_explanation,
        russian_engine,
        score,
        score_text,
        score_texts,
        with_overrides,
        with_rating,
    )

__all__ = [
    "ENGINE_VERSION",
    "THRESHOLDS",
    "TextScore",
    "explain",
    "label_for",
    "learned_explanation",
    "russian_engine",
    "score",
    "score_text",
    "score_texts",
    "with_overrides",
    "with_rating",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("otklik.domain.tonality.scoring"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
