"""Learning the tonality layer from an account's own rated reviews: the settings, stars as weak labels, the
held-back slice, the promotion rule, and which learned layer an account's texts are scored with.

Plain Python: the training use case (otklik.usecases.train_tonality) and the scorer's model resolver
(otklik.adapters.account_models) apply these rules; docs/tonality-learning.md tells them to people.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from otklik.domain.models import Frozen
from otklik.domain.tonality.learned import LEXICON, SHIPPED  # the shipped model; none (the lexicon alone)

# What `tonality.model` may say, beside a version of one account's own model.
CURRENT = "current"  # the account's promoted model if it has one, else the shipped one
NAMED_CHOICES = (CURRENT, SHIPPED, LEXICON)
# A model version: when it was trained (UTC) and a digest of what it was trained on, 20261123T031500Z-3fa1b2.
VERSION = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
ACCOUNT = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
# Hashed feature buckets of an account's model (the shipped one has 2**18): a quarter of the weights, so
# every warm score_feedback container keeps each account's model in about 0.4 MB instead of 1.5 MB, and
# its file is about 150 KB instead of 210 KB; the few thousand reviews of one account fill 2**16 buckets
# with few collisions: on Wildberries reviews 16 bits scored as 18 did (docs/tonality-learning.md).
ACCOUNT_BITS = 16

Outcome = Literal["promoted", "refused", "not_enough"]
Label = Literal["negative", "neutral", "positive"]


def label_of_stars(rating: int) -> Label:
    """Stars as a weak label: 1-2 negative, 3 neutral, 4-5 positive."""
    if not 1 <= rating <= 5:
        raise ValueError(f"stars are 1 to 5, got {rating}")
    if rating <= 2:
        return "negative"
    return "neutral" if rating == 3 else "positive"


def _model_choice(value: str) -> str:
    if value in NAMED_CHOICES or VERSION.match(value):
        return value
    raise ValueError(
        f"{value!r} is not {', '.join(NAMED_CHOICES)} or a model version like 20261123T031500Z-3fa1b2"
    )


ModelChoice = Annotated[str, AfterValidator(_model_choice)]


def _account_name(value: str) -> str:
    if not ACCOUNT.match(value):
        raise ValueError(f"{value!r} is not an account name (letters, digits, '_', '.', '-'; at most 100)")
    return value


AccountName = Annotated[str, AfterValidator(_account_name)]


class LearningSettings(Frozen):
    """When and how an account's own model is trained (the weekly train_tonality run)."""

    enabled: bool = True
    # At least 100: the learned layer trusts itself only on words seen in 2 training texts but in at most
    # 2% of them, which fewer than about a hundred reviews cannot tell apart.
    min_reviews: int = Field(default=500, ge=100, le=100_000, description="fewer rated reviews: not trained")
    max_reviews: int = Field(default=20_000, ge=100, le=100_000, description="the newest this many are used")
    days: int = Field(default=180, ge=1, le=730, description="how many days back reviews are read")
    holdout_share: float = Field(default=0.2, ge=0.05, le=0.5, description="held back to validate on")
    min_gain: float = Field(default=0.01, ge=0.0, le=0.5, description="macro-F1 a candidate must gain")

    @model_validator(mode="after")
    def _enough_can_be_read(self) -> LearningSettings:
        if self.min_reviews > self.max_reviews:
            raise ValueError(
                f"min_reviews ({self.min_reviews}) is above max_reviews ({self.max_reviews}): "
                "no account could ever be trained"
            )
        return self


@dataclass(frozen=True)
class RatedReview:
    """A stored review with stars, as training reads it: its text (text, pros and cons) and its label."""

    feedback_id: str
    account: str
    text: str
    rating: int
    lang: str
    day: str

    @property
    def label(self) -> Label:
        return label_of_stars(self.rating)


def window(today: date, days: int) -> list[str]:
    """The days reviews are read from, newest first: today and the days - 1 before it (YYYY-MM-DD)."""
    return [(today - timedelta(days=back)).isoformat() for back in range(days)]


def held_back(feedback_id: str, share: float) -> bool:
    """Whether a review is in the held-back slice: by a hash of its id, so the same review is on the same
    side in every run, and a model promoted last week was never trained on this week's held-back ones."""
    digest = hashlib.sha256(feedback_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64


def model_version(now: datetime, feedback_ids: Iterable[str]) -> str:
    """A new model's version: when it was trained, and a digest of the reviews it was trained on."""
    digest = hashlib.sha256("\n".join(sorted(feedback_ids)).encode("utf-8")).hexdigest()[:6]
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest}"


@dataclass(frozen=True)
class Verdict:
    promoted: bool
    reason: str


def verdict(candidate: float, bar: float, bar_name: str, min_gain: float) -> Verdict:
    """Promote only a candidate that beats the bar (the best of what the account uses now and the shipped
    model, on the held-back reviews) by min_gain macro-F1."""
    needed = bar + min_gain
    # Rounded as reported, so the figures a person reads decide the same way.
    if round(candidate, 4) >= round(needed, 4):
        return Verdict(True, f"candidate {candidate:.4f} >= {bar_name} {bar:.4f} + {min_gain:.4f}")
    return Verdict(False, f"candidate {candidate:.4f} < {bar_name} {bar:.4f} + {min_gain:.4f}")
