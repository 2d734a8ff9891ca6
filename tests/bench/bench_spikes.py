"""`make bench`: spike detection on seeded synthetic streams (60 product x topic keys, 7 months, 40
injected spikes of 1-3 days each): the share of injected spikes found, false alerts per simulated month,
and the cost of a day's detection over all keys against summing their counts (the least a detector does)."""

from __future__ import annotations

import time
from datetime import timedelta

from otklik.domain.alerts import SpikeSettings, detect
from tests.support.synthetic_spikes import START, measure, synthetic_stream

SEEDS = range(1, 11)


def main() -> None:
    measured = [measure(synthetic_stream(seed)) for seed in SEEDS]
    injected = sum(m.injected for m in measured)
    found = sum(m.found for m in measured)
    false_alerts = sum(m.false_alerts for m in measured)
    months = sum(m.months for m in measured)
    print(f"spikes: {len(measured)} streams, {injected} injected spikes, {months:.0f} simulated months")
    print(f"  found          {found / injected:.1%} of injected spikes ({found})")
    print(f"  false alerts   {false_alerts / months:.2f} per simulated month over 60 keys ({false_alerts})")
    stream = synthetic_stream(1)
    day = stream.days - 1
    window = {key: counts[: day + 1] for key, counts in stream.counts.items()}
    today = START + timedelta(days=day)
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        detect(window, today, SpikeSettings())
    detecting = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        sum(sum(counts[-28:]) for counts in window.values())
    summing = (time.perf_counter() - started) / rounds
    print(
        f"  a day over 60 keys: {detecting * 1000:.2f} ms = {detecting / summing:.1f}x summing their counts"
    )


if __name__ == "__main__":
    main()
