"""Spike alerts: a day's count of complaints about a topic (overall, or on one product) against its own
baseline, alerted once per spike.

The baseline is the item's own past: the mean daily count over the trailing `baseline_days` (today left
out), and the mean of the same weekday over the trailing weeks when that is higher (a Monday peak is the
Monday norm, not a spike). Counts are taken as Poisson with that mean: a day is a spike when it is at
least `min_count`, at least `ratio` times the baseline, and as many or more would happen by chance less
than `p_value` of the time. A key that alerted is quiet for `cooldown_days` (one alert per spike, not one
a day while it lasts).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import Field

from otklik.domain.models import Frozen


class SpikeSettings(Frozen):
    min_count: int = Field(default=5, ge=1, le=10_000, description="fewer complaints than this never alert")
    ratio: float = Field(default=2.0, ge=1.0, le=100.0, description="at least this many times the baseline")
    p_value: float = Field(default=0.001, gt=0, lt=0.5, description="how unlikely by chance, at most")
    baseline_days: int = Field(default=28, ge=7, le=365)
    cooldown_days: int = Field(default=3, ge=0, le=90)


@dataclass(frozen=True)
class Spike:
    key: str  # the dimension: topic#quality#negative or product#<source>#<id>#topic#quality#negative
    day: date
    count: int
    baseline: float
    p_value: float

    @property
    def ratio(self) -> float:
        return self.count / self.baseline if self.baseline else math.inf


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean), summed without overflow."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    term = math.exp(-mean)  # P(X = 0)
    below = term
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)


def baseline(history: Sequence[int], today: date) -> float:
    """The expected count today from the trailing days (oldest first, the day before today last)."""
    if not history:
        return 0.0
    overall = sum(history) / len(history)
    same_weekday = [count for offset, count in enumerate(reversed(history), start=1) if offset % 7 == 0]
    weekly = sum(same_weekday) / len(same_weekday) if same_weekday else 0.0
    return max(overall, weekly)


def spike_on(
    key: str, history: Sequence[int], today: date, count: int, settings: SpikeSettings
) -> Spike | None:
    """Today's count of the key, a spike or not, against the baseline of its history before today."""
    expected = baseline(history[-settings.baseline_days :], today)
    if count < settings.min_count or count < settings.ratio * expected:
        return None
    # A key with no past at all has a baseline of zero: a small floor keeps a first complaint or two quiet,
    # and lets a new problem that comes in numbers through.
    chance = poisson_tail(count, max(expected, 0.5))
    if chance >= settings.p_value:
        return None
    return Spike(key=key, day=today, count=count, baseline=round(expected, 2), p_value=chance)


def detect(
    series: Mapping[str, Sequence[int]],
    today: date,
    settings: SpikeSettings,
    last_alerted: Mapping[str, date] | None = None,
) -> list[Spike]:
    """The spikes of today: `series` maps each key to its daily counts, oldest first, today last; a key that
    alerted within the cooldown is left out. Biggest ratio first."""
    quiet_since = today - timedelta(days=settings.cooldown_days)
    found = []
    for key, counts in series.items():
        if not counts:
            continue
        alerted = (last_alerted or {}).get(key)
        if alerted is not None and alerted > quiet_since:
            continue
        spike = spike_on(key, counts[:-1], today, counts[-1], settings)
        if spike is not None:
            found.append(spike)
    return sorted(found, key=lambda spike: (-spike.ratio, spike.key))


# ---------------------------------------------------------------- what a spike alert says


def watched(dimension: str) -> bool:
    """The dimensions spike alerts watch: a topic's complaints, overall or on one product."""
    parts = dimension.split("#")
    overall = len(parts) == 3 and parts[0] == "topic"
    on_product = len(parts) == 6 and parts[0] == "product" and parts[3] == "topic"
    return (overall or on_product) and parts[-1] == "negative"


def described(key: str) -> tuple[str, str | None, str | None]:
    """(topic, product id, source) of a watched key."""
    parts = key.split("#")
    if parts[0] == "topic":
        return parts[1], None, None
    return parts[4], parts[2], parts[1]


class SpikeAlert(Frozen):
    """A spike, as GET /alerts shows it and the spike_alert notification tells it: counts, baseline, and
    examples (masked excerpts, never raw text) with the items' ids."""

    id: str
    key: str
    day: date
    topic: str
    product: str | None = None
    source: str | None = None
    count: int
    baseline: float
    p_value: float
    raised_at: datetime
    examples: tuple[str, ...] = ()
    feedback_ids: tuple[str, ...] = ()

    def summary(self) -> str:
        return "\n".join(f"«{example}»" for example in self.examples)


def alert_of(spike: Spike, examples: Sequence[str], feedback_ids: Sequence[str], now: datetime) -> SpikeAlert:
    topic, product, source = described(spike.key)
    return SpikeAlert(
        id=alert_id(spike.key, spike.day),
        key=spike.key,
        day=spike.day,
        topic=topic,
        product=product,
        source=source,
        count=spike.count,
        baseline=spike.baseline,
        p_value=spike.p_value,
        raised_at=now,
        examples=tuple(examples),
        feedback_ids=tuple(feedback_ids),
    )


def alert_id(key: str, day: date) -> str:
    return "al_" + hashlib.sha256(f"{key}#{day.isoformat()}".encode()).hexdigest()[:24]
