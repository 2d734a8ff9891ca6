"""Aggregate maths: which counters a new feedback item adds to, and by how much."""

from __future__ import annotations

from dataclasses import dataclass

from otklik.domain.models import FeedbackItem


@dataclass(frozen=True)
class CounterKey:
    period: str  # e.g. DAY#2026-11-22
    dimension: str  # "all" or "source#<source>"


@dataclass(frozen=True)
class AggregateUpdate:
    """Counter increments that must be applied once, as a whole, for one event."""

    applied_marker: str  # what makes the update exactly-once: applied at most one time per marker
    keys: tuple[CounterKey, ...]
    increments: dict[str, int]


def day_period(day: str) -> str:
    return f"DAY#{day}"


def new_feedback_update(item: FeedbackItem) -> AggregateUpdate:
    """The day's counters for all feedback and for the item's source, each counting the item once."""
    increments = {
        "total": 1,
        f"label_{item.tonality.label}": 1,
        f"kind_{item.kind}": 1,
    }
    if item.rating is not None:
        increments[f"rating_{item.rating}"] = 1
        increments["rating_sum"] = item.rating
        increments["rating_count"] = 1
    period = day_period(item.day)
    return AggregateUpdate(
        applied_marker=f"feedback_counted#{item.id}",
        keys=(CounterKey(period, "all"), CounterKey(period, f"source#{item.source}")),
        increments=increments,
    )


def summarize(counters: dict[str, int]) -> dict[str, object]:
    """Counters as the ops API shows them, with the average rating worked out."""
    count = counters.get("rating_count", 0)
    average = round(counters.get("rating_sum", 0) / count, 3) if count else None
    return {
        "total": counters.get("total", 0),
        "labels": {label: counters.get(f"label_{label}", 0) for label in ("negative", "neutral", "positive")},
        "kinds": {k.removeprefix("kind_"): v for k, v in sorted(counters.items()) if k.startswith("kind_")},
        "ratings": {str(stars): counters.get(f"rating_{stars}", 0) for stars in range(1, 6)},
        "rating_sum": counters.get("rating_sum", 0),
        "rating_count": count,
        "rating_average": average,
    }
