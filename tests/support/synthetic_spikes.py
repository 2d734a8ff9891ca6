"""A synthetic stream of daily complaint counts with spikes injected, and how well spike detection does
on it: the share of injected spikes found, and the false alerts per simulated month.

Keys are product x topic pairs with their own daily rate (from a complaint a week to a dozen a day) and a
weekly rhythm (Mondays higher); a spike multiplies a key's rate for one to three days. Seeded: the same
seed gives the same stream, so a test can hold the figures to a bar.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from otklik.domain.alerts import SpikeSettings, detect

START = date(2026, 1, 5)  # a Monday


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


@dataclass
class Stream:
    days: int
    counts: dict[str, list[int]]
    injected: dict[str, set[int]]  # key -> the days of its spikes (each spike's first day)
    spike_days: dict[str, set[int]] = field(default_factory=dict)  # every day a spike lasts


def synthetic_stream(seed: int = 7, keys: int = 60, days: int = 210, spikes: int = 40) -> Stream:
    rng = random.Random(seed)
    rates = {
        f"product#wb#{n}#topic#{('quality', 'delivery', 'size')[n % 3]}#negative": 0.15 * 1.08**n
        for n in range(keys)
    }
    boost: dict[tuple[str, int], float] = {}
    injected: dict[str, set[int]] = {key: set() for key in rates}
    spike_days: dict[str, set[int]] = {key: set() for key in rates}
    names = list(rates)
    for _ in range(spikes):
        key = rng.choice(names)
        first = rng.randrange(35, days - 3)
        # A spike worth telling: several times the usual, and at least a handful of complaints more
        factor = max(rng.uniform(3.0, 6.0), (8 + rates[key]) / rates[key])
        for offset in range(rng.randint(1, 3)):
            boost[(key, first + offset)] = factor
            spike_days[key].add(first + offset)
        injected[key].add(first)
    counts: dict[str, list[int]] = {}
    for key, rate in rates.items():
        series = []
        for day in range(days):
            weekly = 1.3 if (START + timedelta(days=day)).weekday() == 0 else 1.0
            series.append(poisson(rng, rate * weekly * boost.get((key, day), 1.0)))
        counts[key] = series
    return Stream(days, counts, injected, spike_days)


@dataclass(frozen=True)
class Measured:
    injected: int
    found: int
    false_alerts: int
    months: float

    @property
    def recall(self) -> float:
        return self.found / self.injected if self.injected else 1.0

    @property
    def false_per_month(self) -> float:
        return self.false_alerts / self.months


def measure(stream: Stream, settings: SpikeSettings | None = None, warmup: int = 28) -> Measured:
    """Run detection day by day, as the daily job would; an alert on a day a spike lasts finds it."""
    settings = settings or SpikeSettings()
    last: dict[str, date] = {}
    found: set[tuple[str, int]] = set()
    false_alerts = 0
    for day in range(warmup, stream.days):
        today = START + timedelta(days=day)
        window = {key: counts[: day + 1] for key, counts in stream.counts.items()}
        for spike in detect(window, today, settings, last):
            last[spike.key] = today
            if day in stream.spike_days[spike.key]:
                first = max(d for d in stream.injected[spike.key] if d <= day)
                found.add((spike.key, first))
            else:
                false_alerts += 1
    injected = sum(len(days) for days in stream.injected.values())
    return Measured(injected, len(found), false_alerts, (stream.days - warmup) / 30)
