"""Moderation of feedback texts: advertising, contacts, profanity, insults, gibberish and fake signals,
each flag with the spans that raised it and why (docs/moderation.md).

Pure: no storage, no clock. What depends on history (the same text from another author) is passed in:
the caller looks text_fingerprint(text) up in its own store and passes who wrote it first as a
SeenText. The names below are loaded on first use (PEP 562), so that the configuration schema can
import the settings model without building the word lists.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from otklik.domain.moderation.engine import moderate
    from otklik.domain.moderation.fake import text_fingerprint
    from otklik.domain.moderation.model import FLAGS, Flag, Moderation, Reason, SeenText
    from otklik.domain.moderation.settings import ModerationSettings

# Stored on each item (engines.moderation): which rules flagged it.
ENGINE_VERSION = "moderation-0.1"

_HOMES = {
    "moderate": "engine",
    "text_fingerprint": "fake",
    "FLAGS": "model",
    "Flag": "model",
    "Moderation": "model",
    "Reason": "model",
    "SeenText": "model",
    "ModerationSettings": "settings",
}
__all__ = [
    "FLAGS",
    "Flag",
    "Moderation",
    "ModerationSettings",
    "Reason",
    "SeenText",
    "moderate",
    "text_fingerprint",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"otklik.domain.moderation.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
