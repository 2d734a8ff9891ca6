"""Spike detection: a day's complaints about a topic against the key's own baseline (Poisson), once per
spike with a cooldown, never on tiny counts; measured on a seeded synthetic stream."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from otklik.domain.alerts import SpikeSettings, baseline, detect, poisson_tail, spike_on
from tests.support.synthetic_spikes import START, measure, synthetic_stream

KEY = "product#wildberries#12345#topic#quality#negative"
SETTINGS = SpikeSettings()


def _days(counts: list[int]) -> dict[str, list[int]]:
    return {KEY: counts}


def test_a_flat_stream_raises_nothing_and_a_spike_raises_one_alert_for_its_three_days() -> None:
    flat = [3, 2, 4, 3, 3, 2, 4] * 8
    spiked = [*flat, 16, 18, 15, 3, 3, 2]
    alerts: list[str] = []
    last: dict[str, date] = {}

    for day in range(28, len(spiked)):
        today = START + timedelta(days=day)
        for spike in detect(_days(spiked[: day + 1]), today, SETTINGS, last):
            last[spike.key] = today
            alerts.append(f"{spike.day} {spike.count}")

    assert alerts == [f"{START + timedelta(days=len(flat))} 16"]
    assert all(
        detect(_days(flat[: day + 1]), START + timedelta(days=day), SETTINGS) == []
        for day in range(28, len(flat))
    )


def test_tiny_counts_never_alert_even_from_nothing() -> None:
    assert spike_on(KEY, [0] * 28, START, 3, SETTINGS) is None
    # A new problem that comes in numbers does
    spike = spike_on(KEY, [0] * 28, START, 9, SETTINGS)
    assert spike is not None and spike.baseline == 0.0


def test_twice_the_baseline_is_needed_however_unlikely_the_count() -> None:
    # A busy key (100 a day): 140 is very unlikely by chance but not twice the usual
    assert spike_on(KEY, [100] * 28, START, 140, SETTINGS) is None
    assert spike_on(KEY, [100] * 28, START, 210, SETTINGS) is not None


def test_the_weekday_norm_is_the_baseline_when_it_is_higher() -> None:
    # Mondays bring 12, other days 2: a Monday with 12 is the norm, not a spike
    history = [12, 2, 2, 2, 2, 2, 2] * 4
    assert baseline(history, START) == pytest.approx(12.0)
    assert spike_on(KEY, history, START, 12, SETTINGS) is None


def test_the_poisson_tail_is_right_at_its_edges() -> None:
    assert poisson_tail(0, 3.0) == 1.0
    assert poisson_tail(1, 3.0) == pytest.approx(1 - 2.718281828**-3)
    assert poisson_tail(5, 0.0) == 0.0
    assert poisson_tail(40, 5.0) < 1e-12


def test_a_key_that_alerted_is_quiet_for_its_cooldown() -> None:
    counts = [3] * 28 + [20]
    today = START + timedelta(days=28)

    assert detect(_days(counts), today, SETTINGS, {KEY: today - timedelta(days=2)}) == []
    assert len(detect(_days(counts), today, SETTINGS, {KEY: today - timedelta(days=3)})) == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_a_synthetic_stream_most_spikes_are_found_with_few_false_alerts(seed: int) -> None:
    # 60 product x topic keys over 7 months, 40 injected spikes of 1-3 days (make bench prints the figures)
    measured = measure(synthetic_stream(seed))

    assert measured.recall >= 0.9
    assert measured.false_per_month <= 1.0
