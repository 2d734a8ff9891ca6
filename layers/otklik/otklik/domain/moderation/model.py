"""What moderation says about a text: its flags, and for each flag the spans that raised it and why.

The shapes live in otklik.domain.models, beside the feedback item that stores them; these are their
names in moderation's own words.
"""

from __future__ import annotations

from otklik.domain.models import MODERATION_FLAGS, Moderation, ModerationFlag, SeenText
from otklik.domain.models import ModerationReason as Reason

Flag = ModerationFlag
FLAGS = MODERATION_FLAGS
CLEAN = Moderation()

__all__ = ["CLEAN", "FLAGS", "Flag", "Moderation", "Reason", "SeenText"]
