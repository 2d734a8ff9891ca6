"""train_tonality: each account's own learned tonality layer, fitted on its star-rated reviews, kept as a new
version, and promoted only when it beats what the account uses now and the shipped model on reviews it was
not trained on.

For each account with rated reviews in the window (the newest `max_reviews` of the last `days`, Russian
text only: the learned layer scores Russian), fewer than `min_reviews` is "not enough"; else the reviews are
split by a hash of their feedback id (otklik.domain.learning.held_back), the candidate is fitted on one side
and it, the model in force for the account, the shipped model and the lexicon alone are measured (macro-F1
of the stars' weak labels) on the other. Promoted: the model, its manifest, then the account's pointer;
refused: the manifest alone, and the pointer stays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.config import Config
from otklik.domain.learning import (
    ACCOUNT_BITS,
    CURRENT,
    LEXICON,
    SHIPPED,
    LearningSettings,
    Outcome,
    RatedReview,
    held_back,
    model_version,
    verdict,
    window,
)
from otklik.domain.tonality.learned import Model
from otklik.domain.tonality.overrides import Overrides
from otklik.domain.tonality.scoring import ENGINE_VERSION, fit, macro_f1
from otklik.domain.tonality.training import Hyper
from otklik.ports import ModelReader, ModelStore, RatedReviews

HYPER = Hyper(bits=ACCOUNT_BITS)


@dataclass(frozen=True)
class AccountTraining:
    """What one account's training did, and why: the figures are macro-F1 on its held-back reviews."""

    account: str
    outcome: Outcome
    reason: str
    reviews: int
    trained_on: int = 0
    held_back: int = 0
    version: str | None = None
    in_force: str | None = None  # what the account's texts were scored with: a version, shipped-…, lexicon
    scores: Mapping[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "outcome": self.outcome,
            "reason": self.reason,
            "reviews": self.reviews,
            "trained_on": self.trained_on,
            "held_back": self.held_back,
            "version": self.version,
            "in_force": self.in_force,
            "scores": dict(self.scores),
        }


@dataclass(frozen=True)
class TrainingRun:
    accounts: list[AccountTraining]
    disabled: bool = False


def collect(
    reviews: RatedReviews, days: Sequence[str], max_reviews: int, account: str | None = None
) -> dict[str, list[RatedReview]]:
    """Each account's newest rated reviews (English ones left out: VADER scores those, not the learned
    layer), up to max_reviews, the days read newest first (the by_day index has no account key: one walk
    over the window serves every account; with `account` it stops once that one has enough)."""
    collected: dict[str, list[RatedReview]] = {}
    for day in days:
        for review in reviews.rated_reviews_of_day(day):
            if (account is not None and review.account != account) or review.lang == "en":
                continue
            kept = collected.setdefault(review.account, [])
            if len(kept) < max_reviews:
                kept.append(review)
        if account is not None and len(collected.get(account, ())) >= max_reviews:
            break
    return collected


def train_tonality(
    now: datetime,
    zone: ZoneInfo,
    config: Config,
    reviews: RatedReviews,
    models: ModelStore,
    shipped: Model | None,
    account: str | None = None,
) -> TrainingRun:
    """Train every account with rated reviews in the window (or only `account`); a report per account."""
    settings = config.tonality.learning
    if not settings.enabled:
        return TrainingRun([], disabled=True)
    days = window(now.astimezone(zone).date(), settings.days)
    collected = collect(reviews, days, settings.max_reviews, account)
    if account is not None:
        collected.setdefault(account, [])
    return TrainingRun(
        [_train_account(now, name, collected[name], config, models, shipped) for name in sorted(collected)]
    )


def _labels(rows: Iterable[RatedReview]) -> dict[str, int]:
    counts = Counter(row.label for row in rows)
    return {label: counts.get(label, 0) for label in ("negative", "neutral", "positive")}


def in_force(
    account: str, choice: str, models: ModelReader, shipped: Model | None
) -> tuple[Model | str, str | None]:
    """The learned layer the account's texts are scored with now (as the scorer resolves it), and the
    account's promoted version."""
    previous = models.current(account)
    shipped_choice: Model | str = SHIPPED if shipped is not None else LEXICON
    if choice == LEXICON:
        return LEXICON, previous
    if choice == SHIPPED:
        return shipped_choice, previous
    version = previous if choice == CURRENT else choice
    own = models.load(account, version) if version is not None else None
    return (own if own is not None else shipped_choice), previous


def _name(model: Model | str, shipped: Model | None) -> str:
    if isinstance(model, Model):
        return model.version
    if model == SHIPPED and shipped is not None:
        return shipped.version
    return LEXICON


def _train_account(
    now: datetime,
    account: str,
    rows: list[RatedReview],
    config: Config,
    models: ModelStore,
    shipped: Model | None,
) -> AccountTraining:
    settings = config.tonality.learning
    if len(rows) < settings.min_reviews:
        return AccountTraining(
            account,
            "not_enough",
            f"{len(rows)} rated reviews in the last {settings.days} days, fewer than min_reviews "
            f"{settings.min_reviews}",
            len(rows),
        )
    held = [row for row in rows if held_back(row.feedback_id, settings.holdout_share)]
    train = [row for row in rows if not held_back(row.feedback_id, settings.holdout_share)]
    if not held or len({row.label for row in train}) < 2:
        why = "no review fell in the held-back slice" if not held else "the reviews are all of one label"
        return AccountTraining(account, "not_enough", why, len(rows), len(train), len(held))
    overrides = config.tonality.parsed()
    choice = config.tonality.model_for(account)
    current, previous = in_force(account, choice, models, shipped)
    version = model_version(now, (row.feedback_id for row in train))
    if version == previous:
        # The same reviews at the same second (a retry, or two runs at once): that is the model promoted.
        why = f"{version} was trained on these very reviews and is the account's promoted model"
        return AccountTraining(account, "refused", why, len(rows), len(train), len(held), version, version)
    candidate = fit([(row.text, row.label) for row in train], HYPER, shipped, overrides, {"version": version})
    scores, bar_name = _measure(held, candidate, current, shipped, overrides)
    bar = max(scores["in_force"], scores["shipped"] if shipped is not None else scores["lexicon"])
    decided = verdict(scores["candidate"], bar, bar_name, settings.min_gain)
    reason = decided.reason
    if decided.promoted and choice != CURRENT:
        reason += f"; not in force while tonality.model is {choice!r} for the account"
    manifest = _manifest(now, account, rows, train, held, settings, decided.promoted, reason)
    manifest.update(
        {
            "version": version,
            "previous": previous,
            "in_force": _name(current, shipped),
            "based_on": shipped.version if shipped is not None else None,
            "held_back": {**manifest["held_back"], "macro_f1": scores, "bar": bar_name},
        }
    )
    if decided.promoted:
        candidate.manifest = manifest
        # The model and its manifest before the pointer: a pointer never names a model not yet stored.
        models.save_model(account, candidate)
        models.save_manifest(account, version, manifest)
        models.promote(
            account,
            {
                "version": version,
                "previous": previous,
                "promoted_at": now.isoformat(),
                "macro_f1": scores["candidate"],
            },
        )
    else:
        models.save_manifest(account, version, manifest)
    return AccountTraining(
        account,
        "promoted" if decided.promoted else "refused",
        reason,
        len(rows),
        len(train),
        len(held),
        version,
        _name(current, shipped),
        scores,
    )


def _measure(
    held: Sequence[RatedReview],
    candidate: Model,
    current: Model | str,
    shipped: Model | None,
    overrides: Overrides,
) -> tuple[dict[str, Any], str]:
    """Macro-F1 on the held-back reviews of the candidate, the model in force, the shipped model (None
    without one) and the lexicon alone; and the name of the bar the candidate must beat."""
    rows = [(row.text, row.label) for row in held]
    lexicon = round(macro_f1(rows, LEXICON, overrides), 4)
    shipped_f1 = round(macro_f1(rows, shipped, overrides), 4) if shipped is not None else None
    if isinstance(current, Model):
        in_force_f1 = round(macro_f1(rows, current, overrides), 4)
    else:
        in_force_f1 = shipped_f1 if current == SHIPPED and shipped_f1 is not None else lexicon
    scores = {
        "candidate": round(macro_f1(rows, candidate, overrides), 4),
        "in_force": in_force_f1,
        "shipped": shipped_f1,
        "lexicon": lexicon,
    }
    baseline = "shipped" if shipped_f1 is not None else "lexicon"
    bar_name = "in force" if in_force_f1 > (shipped_f1 if shipped_f1 is not None else lexicon) else baseline
    return scores, bar_name


def _manifest(
    now: datetime,
    account: str,
    rows: Sequence[RatedReview],
    train: Sequence[RatedReview],
    held: Sequence[RatedReview],
    settings: LearningSettings,
    promoted: bool,
    reason: str,
) -> dict[str, Any]:
    days = sorted({row.day for row in rows})
    return {
        "account": account,
        "created_at": now.isoformat(),
        "outcome": "promoted" if promoted else "refused",
        "reason": reason,
        "model_kept": promoted,
        "reviews": {
            "total": len(rows),
            "trained_on": len(train),
            "held_back": len(held),
            "labels": {"trained_on": _labels(train), "held_back": _labels(held)},
        },
        "window": {"days": settings.days, "first_day": days[0], "last_day": days[-1]},
        "held_back": {"share": settings.holdout_share, "by": "sha256 of the feedback id"},
        "min_gain": settings.min_gain,
        "hyper_parameters": HYPER.as_dict(),
        "lexicon": ENGINE_VERSION,
        "labels": "stars: 1-2 negative, 3 neutral, 4-5 positive",
    }
